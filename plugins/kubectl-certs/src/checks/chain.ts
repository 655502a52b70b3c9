import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import { type ChainProblemCode, orderAndLintChain } from "@kubemend/lib/x509/chain";
import type { CertBundle } from "../model.js";

type ChainCode =
  | "CHAIN_INCOMPLETE"
  | "CA_MISMATCH"
  | "CHAIN_WRONG_ORDER"
  | "CHAIN_UNRELATED_CERT"
  | "CHAIN_ISSUER_EXPIRES_FIRST";

const CODES: Record<ChainProblemCode, { code: ChainCode; next: string }> = {
  "missing-intermediate": {
    code: "CHAIN_INCOMPLETE",
    next: "append the missing intermediate CA certificate after the leaf",
  },
  "ca-mismatch": {
    code: "CA_MISMATCH",
    next: "reissue the certificate from the CA that clients trust, or give clients the CA that signed it",
  },
  "wrong-order": {
    code: "CHAIN_WRONG_ORDER",
    next: "store the chain leaf first, each certificate followed by its issuer",
  },
  "unrelated-certificate": {
    code: "CHAIN_UNRELATED_CERT",
    next: "remove the certificate that is not part of the chain",
  },
  "issuer-expires-before-leaf": {
    code: "CHAIN_ISSUER_EXPIRES_FIRST",
    next: "renew the issuing CA before it expires: the leaf stops verifying with it",
  },
};

/** Chain lint (CHAIN_INCOMPLETE, CA_MISMATCH, ...) and KEY_MISMATCH for each stored or presented chain. */
export function checkBundles(bundles: readonly CertBundle[]): Finding[] {
  const findings: Finding[] = [];
  for (const bundle of bundles) {
    const base = { subject: bundle.holder, evidence: { source: bundle.source, location: bundle.location } };
    if (bundle.keyMatches === false)
      findings.push(
        finding("KEY_MISMATCH", {
          ...base,
          message: `${bundle.location}: the private key does not belong to ${bundle.chain[0]?.subject.dn}`,
          next: "store the key that was used to request this certificate, or reissue the certificate for this key",
        }),
      );
    const lint =
      bundle.lint ?? orderAndLintChain(bundle.chain, bundle.trust ? { caCerts: bundle.trust } : {});
    for (const problem of lint.problems) {
      const code = CODES[problem.code];
      findings.push(
        finding(code.code, {
          ...base,
          message: `${bundle.location}: ${problem.message}`,
          evidence: { ...base.evidence, chain: lint.ordered.map((c) => c.subject.dn) },
          next: code.next,
        }),
      );
    }
  }
  return findings;
}

/** CSR_UNPARSABLE: `certs inspect csr/NAME` of a CSR whose spec.request is no PEM request. */
export function checkCsrRequest(name: string, problem: string | undefined): Finding[] {
  if (problem === undefined) return [];
  return [
    finding("CSR_UNPARSABLE", {
      subject: { kind: "CertificateSigningRequest", name },
      message: `spec.request: ${problem}`,
      next: "delete the CSR; the requester files a new one",
    }),
  ];
}
