import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { type CertificateInfo, describeCertificate } from "./certificate.js";
import { orderAndLintChain } from "./chain.js";
import { createCertificate, type GeneratedKey, generateKey } from "./issue.js";

const now = new Date("2026-03-01T00:00:00Z");
const year = (n: number) => new Date(now.getTime() + n * 365 * 86_400_000);

interface Issued {
  info: CertificateInfo;
  pem: string;
  key: GeneratedKey;
}

async function issue(cn: string, opts: { ca: boolean; notAfter: Date; signer?: Issued }): Promise<Issued> {
  const key = await generateKey("ecdsa-p256");
  const pem = await createCertificate({
    subject: { cn },
    keyUsages: opts.ca ? ["digital signature", "cert sign"] : ["digital signature"],
    extKeyUsages: opts.ca ? [] : ["server auth"],
    isCA: opts.ca,
    notBefore: now,
    notAfter: opts.notAfter,
    publicKey: key.privateKey,
    ...(opts.signer && { signer: { certPem: opts.signer.pem, key: opts.signer.key.privateKey } }),
  });
  return { info: describeCertificate(new X509Certificate(pem)), pem, key };
}

let root: Issued;
let rootAgain: Issued;
let inter: Issued;
let shortInter: Issued;
let leaf: Issued;
let shortLeaf: Issued;
let stranger: Issued;

beforeAll(async () => {
  root = await issue("root", { ca: true, notAfter: year(10) });
  rootAgain = await issue("root", { ca: true, notAfter: year(10) });
  inter = await issue("inter", { ca: true, notAfter: year(5), signer: root });
  shortInter = await issue("inter", { ca: true, notAfter: year(0.5), signer: root });
  leaf = await issue("leaf", { ca: false, notAfter: year(1), signer: inter });
  shortLeaf = await issue("leaf", { ca: false, notAfter: year(1), signer: shortInter });
  stranger = await issue("stranger", { ca: false, notAfter: year(1) });
});

const codes = (lint: ReturnType<typeof orderAndLintChain>) => lint.problems.map((p) => p.code);
const cns = (certs: CertificateInfo[]) => certs.map((c) => c.subject.cn);

describe("orderAndLintChain", () => {
  it("accepts a complete chain in order", () => {
    const lint = orderAndLintChain([leaf.info, inter.info, root.info], { caCerts: [root.info] });
    expect(lint.problems).toEqual([]);
    expect(cns(lint.ordered)).toEqual(["leaf", "inter", "root"]);
    expect(lint.anchor).toBe(root.info);
  });

  it("reorders a shuffled chain and says so", () => {
    const lint = orderAndLintChain([root.info, leaf.info, inter.info]);
    expect(cns(lint.ordered)).toEqual(["leaf", "inter", "root"]);
    expect(codes(lint)).toEqual(["wrong-order"]);
    expect(lint.problems[0]?.message).toBe(
      "certificates are not in leaf-to-root order; expected CN=leaf → CN=inter → CN=root",
    );
  });

  it("finds the CA for a chain that stops below the root", () => {
    const lint = orderAndLintChain([leaf.info, inter.info], { caCerts: [stranger.info, root.info] });
    expect(lint.problems).toEqual([]);
    expect(lint.anchor).toBe(root.info);
  });

  it("reports a missing intermediate", () => {
    const lint = orderAndLintChain([leaf.info], { caCerts: [root.info] });
    expect(lint.problems).toEqual([
      {
        code: "missing-intermediate",
        message: "issuer CN=inter of CN=leaf is neither in the chain nor among the given CAs (CN=root)",
      },
    ]);
  });

  it("reports a CA file holding a same-named CA with another key", () => {
    const lint = orderAndLintChain([leaf.info, inter.info], { caCerts: [rootAgain.info] });
    expect(codes(lint)).toEqual(["ca-mismatch"]);
    expect(lint.anchor).toBeUndefined();
  });

  it("reports a self-signed certificate that is not the given CA", () => {
    expect(codes(orderAndLintChain([stranger.info], { caCerts: [root.info] }))).toEqual(["ca-mismatch"]);
    expect(codes(orderAndLintChain([stranger.info]))).toEqual([]);
  });

  it("reports an issuer that expires before the leaf", () => {
    const lint = orderAndLintChain([shortLeaf.info, shortInter.info], { caCerts: [root.info] });
    expect(lint.problems).toEqual([
      {
        code: "issuer-expires-before-leaf",
        message: `issuer CN=inter expires ${year(0.5).toISOString()}, before CN=leaf (${year(1).toISOString()})`,
      },
    ]);
  });

  it("reports certificates that are not part of the chain", () => {
    const lint = orderAndLintChain([leaf.info, inter.info, stranger.info]);
    expect(codes(lint)).toEqual(["unrelated-certificate"]);
    expect(cns(lint.ordered)).toEqual(["leaf", "inter"]);
  });

  it("does nothing with nothing", () => {
    expect(orderAndLintChain([])).toEqual({ ordered: [], anchor: undefined, problems: [] });
  });
});
