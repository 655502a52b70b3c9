import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import { type CertificateInfo, coversAddress } from "@kubemend/lib/x509/certificate";
import { addSansStep } from "./next-steps.js";

export interface ExpectedAddress {
  address: string;
  /** Why it is expected: "kubeconfig", "service/default/kubernetes", "--address", ... */
  from: string[];
}

/** One distinct certificate the API server presents, and where. */
export interface ServedApiCert {
  endpoints: string[];
  cert: CertificateInfo;
}

export interface SanRow {
  address: string;
  from: string[];
  /** Endpoints whose certificate covers the address, and those whose does not. */
  coveredAt: string[];
  missingAt: string[];
}

/** Which expected API server addresses each served certificate lacks (S3). */
export function checkApiServerSans(
  expected: readonly ExpectedAddress[],
  served: readonly ServedApiCert[],
): { rows: SanRow[]; findings: Finding[] } {
  const rows = expected.map((e) => {
    const covering = served.filter((s) => coversAddress(s.cert, e.address));
    const lacking = served.filter((s) => !coversAddress(s.cert, e.address));
    return {
      address: e.address,
      from: e.from,
      coveredAt: covering.flatMap((s) => s.endpoints),
      missingAt: lacking.flatMap((s) => s.endpoints),
    };
  });
  const findings: Finding[] = [];
  for (const s of served) {
    const missing = expected.filter((e) => !coversAddress(s.cert, e.address));
    if (missing.length === 0) continue;
    const endpoint = s.endpoints[0] as string;
    findings.push(
      finding("SAN_MISSING", {
        case: "address-in-use",
        subject: { endpoint },
        message: `the API server certificate served at ${s.endpoints.join(", ")} does not cover ${missing.map((m) => m.address).join(", ")}: clients that connect there fail to verify it`,
        evidence: {
          endpoints: s.endpoints,
          subject: s.cert.subject.dn,
          serial: s.cert.serial,
          sans: [...s.cert.sans.dns, ...s.cert.sans.ip],
          missing: missing.map((m) => ({ address: m.address, from: m.from })),
        },
        next: addSansStep(missing.map((m) => m.address)),
      }),
    );
  }
  return { rows, findings };
}

/** A host from an address as people write it: "https://lb:6443", "10.0.0.1:6443", "[::1]:6443", "lb". */
export function hostOf(address: string): string {
  const text = address.trim();
  if (/^[a-z]+:\/\//i.test(text)) return new URL(text).hostname.replace(/^\[|\]$/g, "");
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) return bracketed[1] as string;
  const parts = text.split(":");
  // One colon: host:port. More: a bare IPv6 address.
  return parts.length === 2 ? (parts[0] as string) : text;
}

/**
 * The port an address names, if any: after a URL's host, after "]" of a bracketed IPv6 address,
 * or after host:, but never inside a bare IPv6 address (fd00::1 names no port 1).
 */
export function portOf(address: string): number | undefined {
  const text = address.trim();
  if (/^[a-z]+:\/\//i.test(text)) {
    const port = new URL(text).port;
    return port ? Number(port) : undefined;
  }
  const bracketed = /^\[[^\]]+\](?::(\d+))?$/.exec(text);
  if (bracketed) return bracketed[1] ? Number(bracketed[1]) : undefined;
  const parts = text.split(":");
  return parts.length === 2 && /^\d+$/.test(parts[1] as string) ? Number(parts[1]) : undefined;
}

/** Adds `from` to an address already expected (in any spelling of the same IP), or a new entry. */
export function addExpected(
  list: ExpectedAddress[],
  address: string,
  from: string,
  same: (a: string, b: string) => boolean,
) {
  const existing = list.find((e) => same(e.address, address));
  if (existing) {
    if (!existing.from.includes(from)) existing.from.push(from);
  } else list.push({ address, from: [from] });
}

/** What the addresses clients use are derived from. */
export interface AddressSources {
  /** The kubeconfig's server URL. */
  server: string;
  naming: {
    serviceIp?: string;
    clusterDomain: string;
    certSans: readonly string[];
    controlPlaneEndpoint?: string;
  };
  /** The API servers' own addresses (the kubernetes endpoints, the mirror pods). */
  served: readonly { host: string; from: string }[];
  /** --address, as given (host, host:port, URL). */
  flagged: readonly string[];
  /** Whether two spellings name the same address (IPv4-mapped IPv6, case). */
  same: (a: string, b: string) => boolean;
}

/**
 * Every address a client may dial the API server at, each with why it is expected: the
 * kubeconfig's server, the kubernetes Service's ClusterIP and in-cluster names, the API servers'
 * own addresses, kubeadm's certSANs and controlPlaneEndpoint, and each --address.
 */
export function expectedAddresses(src: AddressSources): ExpectedAddress[] {
  const expected: ExpectedAddress[] = [];
  const add = (address: string, from: string) => addExpected(expected, address, from, src.same);
  add(hostOf(src.server), "kubeconfig");
  if (src.naming.serviceIp) add(src.naming.serviceIp, "service/default/kubernetes");
  for (const name of [
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    `kubernetes.default.svc.${src.naming.clusterDomain}`,
  ])
    add(name, "in-cluster name");
  for (const a of src.served.filter((a) => a.from !== "kubeconfig")) add(a.host, a.from);
  for (const san of src.naming.certSans) add(san, "kubeadm-config certSANs");
  if (src.naming.controlPlaneEndpoint)
    add(hostOf(src.naming.controlPlaneEndpoint), "kubeadm-config controlPlaneEndpoint");
  for (const address of src.flagged) add(hostOf(address), "--address");
  return expected;
}
