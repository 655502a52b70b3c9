import { type CertificateInfo, privateKeyMatches } from "@kubemend/lib/x509/certificate";
import { orderAndLintChain } from "@kubemend/lib/x509/chain";
import { type CertificateBundle, parseCertificateBundle } from "@kubemend/lib/x509/pem";
import type { FoundCert } from "../model.js";

export type CertOrigin = Omit<FoundCert, "cert" | "problem">;

/**
 * Every certificate of a PEM or DER bundle as FoundCerts, and every bad block as an unparsable
 * one. In a bundle of several certificates each gets "#<n>" on its location, in order.
 */
export function certsFromBundle(input: string | Uint8Array, origin: CertOrigin): FoundCert[] {
  const bundle = withReadableDates(parseCertificateBundle(input));
  const at = (i: number) => (bundle.certificates.length > 1 ? `${origin.location}#${i}` : origin.location);
  const found: FoundCert[] = bundle.certificates.map((cert, i) => ({
    ...origin,
    location: at(i),
    cert,
    role: origin.role === "leaf" && i > 0 ? "chain" : origin.role,
  }));
  for (const problem of bundle.problems)
    found.push({
      ...origin,
      location: `${origin.location} (block ${problem.index})`,
      problem: problem.message,
    });
  return found;
}

/** base64 data from a kubeconfig or an object's caBundle, decoded; undefined when it is not base64. */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, "base64");
}

/** The certificates of a presented chain: the first is the leaf, "#<n>" marks each when there are several. */
export function certsFromChain(
  chain: readonly CertificateInfo[],
  origin: Omit<CertOrigin, "role">,
): FoundCert[] {
  return chain.map((cert, n) => ({
    ...origin,
    location: chain.length > 1 ? `${origin.location}#${n}` : origin.location,
    role: n === 0 ? "leaf" : "chain",
    cert,
  }));
}

/** Whether a stored private key belongs to the chain's leaf (found by issuer links, not position). */
export function keyMatchesChain(keyPem: string | Buffer, chain: readonly CertificateInfo[]): boolean {
  return keyMatchesLeaf(keyPem, orderAndLintChain([...chain]).ordered[0]);
}

export function keyMatchesLeaf(keyPem: string | Buffer, leaf: CertificateInfo | undefined): boolean {
  return leaf !== undefined && privateKeyMatches(keyPem, leaf);
}

/**
 * A certificate whose validity node:crypto cannot turn into dates (a mangled UTCTime) parses, but
 * its dates are Invalid Date; it is unparsable for expiry purposes.
 */
function withReadableDates(bundle: CertificateBundle): CertificateBundle {
  const readable = bundle.certificates.map(hasReadableDates);
  if (readable.every(Boolean)) return bundle;
  return {
    certificates: bundle.certificates.filter((_, i) => readable[i]),
    blocks: bundle.blocks.filter((_, i) => readable[i]),
    problems: [
      ...bundle.problems,
      ...bundle.blocks
        .filter((_, i) => !readable[i])
        .map((index) => ({ index, message: "the validity dates cannot be read" })),
    ].sort((a, b) => a.index - b.index),
  };
}

export function hasReadableDates(cert: CertificateInfo): boolean {
  return !Number.isNaN(cert.notBefore.getTime()) && !Number.isNaN(cert.notAfter.getTime());
}

/** The file of a location, without the "#N" or " (block N)" that names one certificate in it. */
export function fileOfLocation(location: string): string {
  return location.replace(/#\d+$|\s\(block \d+\)$/, "");
}
