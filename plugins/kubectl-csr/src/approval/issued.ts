import { parseIp, sameIp } from "@kubemend/lib/net/ip";
import type { Sans } from "@kubemend/lib/x509/extensions";
import { parseCertificateBundle } from "@kubemend/lib/x509/pem";

export interface IssuedExpectation {
  sans: Sans;
  /** spec.expirationSeconds, if the CSR asked for one. */
  expirationSeconds?: number;
  maxExpirationSeconds?: number;
}

export interface IssuedSummary {
  serial: string;
  notBefore: string;
  notAfter: string;
  sans: { dns: string[]; ip: string[] };
  /** What does not match the plan; empty when the certificate is what was approved. */
  problems: string[];
}

/** The signer may shorten a lifetime but never lengthen it; a minute covers its backdating. */
const SKEW_SECONDS = 60;

function sameSet(
  a: readonly string[],
  b: readonly string[],
  equal: (x: string, y: string) => boolean,
): boolean {
  return a.every((x) => b.some((y) => equal(x, y))) && b.every((y) => a.some((x) => equal(x, y)));
}

function sameIpText(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && sameIp(x, y);
}

/** Checks the issued certificate (status.certificate, PEM) against the plan it was approved on. */
export function checkIssued(pem: string, expected: IssuedExpectation, now: Date): IssuedSummary {
  const cert = parseCertificateBundle(pem).certificates[0];
  if (!cert)
    return {
      serial: "",
      notBefore: "",
      notAfter: "",
      sans: { dns: [], ip: [] },
      problems: ["status.certificate holds no certificate"],
    };
  const problems: string[] = [];
  const { dns, ip } = cert.sans;
  if (!sameSet(dns, expected.sans.dns, (a, b) => a.toLowerCase() === b.toLowerCase()))
    problems.push(
      `DNS SANs ${dns.join(",") || "(none)"} differ from the request's ${expected.sans.dns.join(",") || "(none)"}`,
    );
  if (!sameSet(ip, expected.sans.ip, sameIpText))
    problems.push(
      `IP SANs ${ip.join(",") || "(none)"} differ from the request's ${expected.sans.ip.join(",") || "(none)"}`,
    );
  if (cert.notBefore.getTime() > now.getTime() + SKEW_SECONDS * 1000)
    problems.push(`not valid before ${cert.notBefore.toISOString()}`);
  if (cert.notAfter.getTime() <= now.getTime()) problems.push(`expired at ${cert.notAfter.toISOString()}`);
  const lifetime = (cert.notAfter.getTime() - cert.notBefore.getTime()) / 1000;
  const limit = Math.min(expected.expirationSeconds ?? Infinity, expected.maxExpirationSeconds ?? Infinity);
  if (lifetime > limit + SKEW_SECONDS)
    problems.push(`lifetime ${Math.round(lifetime)}s exceeds the ${limit}s that was approved`);
  return {
    serial: cert.serial,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    sans: { dns, ip },
    problems,
  };
}
