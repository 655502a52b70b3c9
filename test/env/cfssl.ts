// The real cfssl and cfssljson, built from the Go module proxy (build-cfssl.sh), making a binary
// install's PKI the way the operators' guides do: CSR JSON files, `cfssl gencert -initca` for each
// CA, `cfssl gencert -ca … -config ca-config.json -profile kubernetes` for each leaf, and
// `cfssljson -bare NAME`, which writes NAME.pem, NAME-key.pem and NAME.csr.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { buildScript } from "./controlplane-bin.js";
import { ENV_DIR } from "./paths.js";

const run = promisify(execFile);

let built: Promise<string> | undefined;

/** The directory with cfssl and cfssljson, built on first use and cached outside the repo. */
export function cfsslBin(): Promise<string> {
  const preset = process.env.KUBEMEND_CFSSL_BIN;
  if (preset) return Promise.resolve(preset);
  built ??= buildScript(path.join(ENV_DIR, "build-cfssl.sh"));
  return built;
}

/** A cfssl CSR file's content. */
export interface CsrJson {
  CN: string;
  hosts?: string[];
  key: { algo: "rsa" | "ecdsa"; size: number };
  names: { C?: string; ST?: string; L?: string; O?: string; OU?: string }[];
  ca?: { expiry: string };
}

/** The guides' ca-config.json: one "kubernetes" profile for servers and clients alike. */
export function caConfig(expiry = "87600h"): object {
  return {
    signing: {
      default: { expiry },
      profiles: {
        kubernetes: { usages: ["signing", "key encipherment", "server auth", "client auth"], expiry },
        client: { usages: ["signing", "key encipherment", "client auth"], expiry },
      },
    },
  };
}

export function csr(cn: string, o: string, hosts?: string[]): CsrJson {
  return {
    CN: cn,
    ...(hosts && { hosts }),
    key: { algo: "rsa", size: 2048 },
    names: [{ C: "CN", ST: "BeiJing", L: "BeiJing", O: o, OU: "kubemend" }],
  };
}

export interface Cfssl {
  /** `cfssl gencert -initca NAME-csr.json | cfssljson -bare NAME` in dir. */
  initCa(dir: string, name: string, spec: CsrJson): Promise<void>;
  /** `cfssl gencert -ca CA.pem -ca-key CA-key.pem -config CONFIG -profile P NAME-csr.json | cfssljson -bare NAME`. */
  gencert(
    dir: string,
    name: string,
    spec: CsrJson,
    signer: { ca: string; caKey: string; config: string; profile: string },
  ): Promise<void>;
}

export async function cfssl(): Promise<Cfssl> {
  const bin = await cfsslBin();
  const pipe = async (dir: string, name: string, args: string[]) => {
    // The guides' pipeline, verbatim: cfssl prints JSON, cfssljson writes the files.
    await run(
      "sh",
      [
        "-c",
        `"$0" "$@" | "${path.join(bin, "cfssljson")}" -bare "${name}"`,
        path.join(bin, "cfssl"),
        ...args,
      ],
      { cwd: dir },
    );
  };
  return {
    async initCa(dir, name, spec) {
      await writeFile(path.join(dir, `${name}-csr.json`), JSON.stringify(spec, null, 2));
      await pipe(dir, name, ["gencert", "-initca", `${name}-csr.json`]);
    },
    async gencert(dir, name, spec, signer) {
      await writeFile(path.join(dir, `${name}-csr.json`), JSON.stringify(spec, null, 2));
      await pipe(dir, name, [
        "gencert",
        `-ca=${signer.ca}`,
        `-ca-key=${signer.caKey}`,
        `-config=${signer.config}`,
        `-profile=${signer.profile}`,
        `${name}-csr.json`,
      ]);
    },
  };
}
