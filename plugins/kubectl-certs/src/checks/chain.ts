import type { Finding } from "@kubemend/lib/findings/finding";
import { type ChainProblemCode, orderAndLintChain } from "@kubemend/lib/x509/chain";
import type { CertBundle } from "../model.js";

const CODES: Record<ChainProblemCode, { code: string; severity: Finding["severity"]; next: string }> = {
  "missing-intermediate": {
    code: "CHAIN_INCOMPLETE",
    severity: "critical",
    next: "append the missing intermediate CA certificate after the leaf",
  },
  "ca-mismatch": {
    code: "CA_MISMATCH",
    severity: "critical",
    next: "reissue the certificate from the CA that clients trust, or give clients the CA that signed it",
  },
  "wrong-order": {
    code: "CHAIN_WRONG_ORDER",
    severity: "warning",
    next: "store the chain leaf first, each certificate followed by its issuer",
  },
  "unrelated-certificate": {
    code: "CHAIN_UNRELATED_CERT",
    severity: "info",
    next: "remove the certificate that is not part of the chain",
  },
  "issuer-expires-before-leaf": {
    code: "CHAIN_ISSUER_EXPIRES_FIRST",
    severity: "warning",
    next: "renew the issuing CA before it expires: the leaf stops verifying with it",
  },
};

/** Chain lint (CHAIN_INCOMPLETE, CA_MISMATCH, ...) and KEY_MISMATCH for each stored or presented chain. */
export function checkBundles(bundles: readonly CertBundle[]): Finding[] {
  const findings: Finding[] = [];
  for (const bundle of bundles) {
    const base = { subject: bundle.holder, evidence: { source: bundle.source, location: bundle.location } };
    if (bundle.keyMatches === false)
      findings.push({
        ...base,
        code: "KEY_MISMATCH",
        severity: "critical",
        message: `${bundle.location}: the private key does not belong to ${bundle.chain[0]?.subject.dn}`,
        next: "store the key that was used to request this certificate, or reissue the certificate for this key",
      });
    const lint =
      bundle.lint ?? orderAndLintChain(bundle.chain, bundle.trust ? { caCerts: bundle.trust } : {});
    for (const problem of lint.problems) {
      const code = CODES[problem.code];
      findings.push({
        ...base,
        code: code.code,
        severity: code.severity,
        message: `${bundle.location}: ${problem.message}`,
        evidence: { ...base.evidence, chain: lint.ordered.map((c) => c.subject.dn) },
        next: code.next,
      });
    }
  }
  return findings;
}
