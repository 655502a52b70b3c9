import { readFileSync } from "node:fs";
import { BadInputError, IncompleteError, UsageError } from "@kubemend/lib/cli/errors";
import type { KubeClient, KubeObject } from "@kubemend/lib/kube/client";
import { probeTls } from "@kubemend/lib/net/tls-probe";
import { type CsrInfo, parseCsr } from "@kubemend/lib/x509/csr";
import type { CertBundle, FoundCert, SourceName } from "../model.js";
import { certsFromBundle, certsFromChain, decodeBase64, keyMatchesChain } from "./bundle.js";

export type Target =
  | { kind: "secret"; namespace: string; name: string }
  | { kind: "file"; path: string }
  | { kind: "endpoint"; host: string; port: number }
  | { kind: "node"; name: string }
  | { kind: "csr"; name: string }
  | { kind: "apiserver" };

const FORMS = "secret/NS/NAME, file:PATH, HOST:PORT, node/NAME, csr/NAME or apiserver";

export function parseTarget(text: string): Target {
  if (text === "apiserver") return { kind: "apiserver" };
  if (text.startsWith("file:") && text.length > 5) return { kind: "file", path: text.slice(5) };
  const parts = text.split("/");
  if (parts[0] === "secret" && parts.length === 3 && parts[1] && parts[2])
    return { kind: "secret", namespace: parts[1], name: parts[2] };
  if ((parts[0] === "node" || parts[0] === "csr") && parts.length === 2 && parts[1])
    return { kind: parts[0], name: parts[1] };
  const endpoint = /^(?:\[([^\]]+)\]|([^:/\s]+)):(\d{1,5})$/.exec(text);
  if (endpoint && Number(endpoint[3]) > 0 && Number(endpoint[3]) < 65536)
    return { kind: "endpoint", host: (endpoint[1] ?? endpoint[2]) as string, port: Number(endpoint[3]) };
  throw new UsageError(`cannot tell what "${text}" is`, `use one of: ${FORMS}`);
}

export interface Inspected {
  certs: FoundCert[];
  bundles: CertBundle[];
  csr?: CsrInfo;
  csrProblem?: string;
}

interface Secret extends KubeObject {
  data?: Record<string, string>;
}

/** Fetches what TARGET names. Private keys are read only to check they match. */
export async function inspectTarget(
  target: Target,
  deps: { client(): Promise<KubeClient>; server(): string; timeoutMs: number },
): Promise<Inspected> {
  switch (target.kind) {
    case "file": {
      const holder = { file: target.path };
      let content: Buffer;
      try {
        content = readFileSync(target.path);
      } catch (err) {
        throw new UsageError(
          `cannot read ${target.path}: ${(err as NodeJS.ErrnoException).code}`,
          "check the path",
        );
      }
      const certs = certsFromBundle(content, { source: "pki", location: target.path, holder, role: "leaf" });
      if (!certs.some((c) => c.cert))
        throw new BadInputError(
          `${target.path} holds no certificate that can be read${certs[0]?.problem ? `: ${certs[0].problem}` : ""}`,
          "give a PEM or DER certificate file (a key or a CSR is not one)",
        );
      return { certs, bundles: bundleOf("pki", holder, target.path, certs) };
    }
    case "secret": {
      const client = await deps.client();
      const secret = await client.get<Secret>({
        group: "",
        version: "v1",
        resource: "secrets",
        namespace: target.namespace,
        name: target.name,
      });
      const holder = { kind: "Secret", namespace: target.namespace, name: target.name };
      const base = `secret/${target.namespace}/${target.name}`;
      const certs: FoundCert[] = [];
      let key: string | undefined;
      for (const [k, value] of Object.entries(secret.data ?? {})) {
        const content = decodeBase64(value) ?? Buffer.alloc(0);
        if (k === "tls.key") key = content.toString("utf8");
        else if (
          k === "tls.crt" ||
          k === "ca.crt" ||
          /-----BEGIN CERTIFICATE-----/.test(content.toString("latin1"))
        )
          certs.push(
            ...certsFromBundle(content, {
              source: "secrets",
              location: `${base}[${k}]`,
              holder,
              role: k === "tls.crt" ? "leaf" : "trust",
            }),
          );
      }
      const bundles = bundleOf("secrets", holder, base, certs);
      const leaf = bundles[0]?.chain[0];
      if (bundles[0] && leaf && key !== undefined)
        bundles[0].keyMatches = keyMatchesChain(key, bundles[0].chain);
      return { certs, bundles };
    }
    case "csr": {
      const client = await deps.client();
      const csr = await client.get<{ spec?: { request?: string }; status?: { certificate?: string } }>({
        group: "certificates.k8s.io",
        version: "v1",
        resource: "certificatesigningrequests",
        name: target.name,
      });
      const parsed = parseCsr(decodeBase64(csr.spec?.request ?? "") ?? Buffer.alloc(0));
      const holder = { kind: "CertificateSigningRequest", name: target.name };
      const issued = csr.status?.certificate;
      const certs = issued
        ? certsFromBundle(decodeBase64(issued) ?? Buffer.alloc(0), {
            source: "nodes",
            location: `csr/${target.name}[status.certificate]`,
            holder,
            role: "leaf",
          })
        : [];
      return {
        certs,
        bundles: bundleOf("nodes", holder, `csr/${target.name}`, certs),
        ...(parsed.ok ? { csr: parsed.csr } : { csrProblem: parsed.error }),
      };
    }
    case "node": {
      const client = await deps.client();
      const node = await client.get<{
        status?: {
          addresses?: { type: string; address: string }[];
          daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
        };
      }>({ group: "", version: "v1", resource: "nodes", name: target.name });
      const ip = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
      const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250;
      if (!ip) throw new UsageError(`node ${target.name} reports no InternalIP`, "inspect HOST:PORT instead");
      return probed("nodes", { kind: "Node", name: target.name }, ip, port, deps.timeoutMs);
    }
    case "apiserver": {
      const url = new URL(deps.server());
      const host = url.hostname.replace(/^\[|\]$/g, "");
      return probed("served", { endpoint: url.host }, host, Number(url.port || 443), deps.timeoutMs);
    }
    case "endpoint":
      return probed(
        "served",
        { endpoint: `${target.host}:${target.port}` },
        target.host,
        target.port,
        deps.timeoutMs,
      );
  }
}

function bundleOf(
  source: SourceName,
  holder: FoundCert["holder"],
  location: string,
  certs: FoundCert[],
): CertBundle[] {
  const chain = certs.filter((c) => c.role !== "trust").flatMap((c) => c.cert ?? []);
  const trust = certs.filter((c) => c.role === "trust").flatMap((c) => c.cert ?? []);
  return chain.length === 0 ? [] : [{ source, holder, location, chain, ...(trust.length > 0 && { trust }) }];
}

async function probed(
  source: SourceName,
  holder: FoundCert["holder"],
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Inspected> {
  const result = await probeTls({ host, port, timeoutMs });
  if (!result.ok)
    throw new IncompleteError(
      `TLS handshake with ${result.endpoint} failed: ${result.error}`,
      "check the address and port",
    );
  const certs = certsFromChain(result.chain, { source, location: result.endpoint, holder });
  return { certs, bundles: bundleOf(source, holder, result.endpoint, certs) };
}
