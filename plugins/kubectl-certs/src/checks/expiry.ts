import type { Finding, Severity } from "@kubemend/lib/findings/finding";
import { formatDuration } from "@kubemend/lib/output/duration";
import { residual } from "@kubemend/lib/x509/certificate";
import type { FoundCert } from "../model.js";
import { renewalStep } from "./next-steps.js";
import type { Thresholds } from "./thresholds.js";

/** The facts about a certificate that every finding carries. */
export function certEvidence(found: FoundCert): Record<string, unknown> {
  const cert = found.cert;
  return {
    source: found.source,
    location: found.location,
    ...(cert && {
      subject: cert.subject.dn,
      issuer: cert.issuer.dn,
      serial: cert.serial,
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
    }),
  };
}

const isCaBundle = (found: FoundCert) =>
  found.role === "trust" &&
  (found.source === "webhooks" || found.source === "apiservices" || found.source === "secrets");

/** CERT_UNPARSABLE, CERT_NOT_YET_VALID, CERT_EXPIRED, CABUNDLE_EXPIRED, CERT_EXPIRING and CA_EXPIRING. */
export function checkExpiry(certs: readonly FoundCert[], t: Thresholds): Finding[] {
  const findings: Finding[] = [];
  for (const found of certs) {
    const base = { subject: found.holder, evidence: certEvidence(found) };
    if (!found.cert) {
      findings.push({
        ...base,
        code: "CERT_UNPARSABLE",
        severity: "warning",
        message: `${found.location}: ${found.problem ?? "unparsable"}`,
        evidence: { ...base.evidence, problem: found.problem },
        next: "replace the value with a PEM certificate, or remove it",
      });
      continue;
    }
    const cert = found.cert;
    const left = residual(cert, t.now);
    const next = renewalStep(found);
    if (cert.notBefore.getTime() > t.now.getTime()) {
      findings.push({
        ...base,
        code: "CERT_NOT_YET_VALID",
        severity: "critical",
        message: `${found.location}: ${cert.subject.dn} is not valid before ${cert.notBefore.toISOString()}`,
        next: "check the clock of the machine that issued it and of this one (timedatectl), or reissue it",
      });
    } else if (left <= 0) {
      const bundle = isCaBundle(found);
      findings.push({
        ...base,
        code: bundle ? "CABUNDLE_EXPIRED" : "CERT_EXPIRED",
        severity: "critical",
        message: `${found.location}: ${cert.subject.dn} expired ${formatDuration(-left)} ago (${cert.notAfter.toISOString()})`,
        next,
      });
    } else if (left <= t.warnWithinMs) {
      const severity: Severity = left <= t.criticalWithinMs ? "critical" : "warning";
      findings.push({
        ...base,
        code: cert.isCA ? "CA_EXPIRING" : "CERT_EXPIRING",
        severity,
        message: `${found.location}: ${cert.subject.dn} expires in ${formatDuration(left)} (${cert.notAfter.toISOString()})`,
        next,
      });
    }
  }
  return findings;
}
