import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
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

/** Two certificates of one bundle: the same holder and field, told apart only by "#<n>". */
const sameBundle = (a: FoundCert, b: FoundCert) =>
  a.source === b.source && a.location.replace(/#\d+$/, "") === b.location.replace(/#\d+$/, "");

const isCaBundle = (found: FoundCert) =>
  found.role === "trust" &&
  (found.source === "webhooks" || found.source === "apiservices" || found.source === "secrets");

/** CERT_UNPARSABLE, CERT_NOT_YET_VALID, CERT_EXPIRED, CABUNDLE_EXPIRED, CERT_EXPIRING and CA_EXPIRING. */
export function checkExpiry(certs: readonly FoundCert[], t: Thresholds): Finding[] {
  const findings: Finding[] = [];
  for (const found of certs) {
    const base = { subject: found.holder, evidence: certEvidence(found) };
    if (!found.cert) {
      findings.push(
        finding("CERT_UNPARSABLE", {
          ...base,
          message: `${found.location}: ${found.problem ?? "unparsable"}`,
          evidence: { ...base.evidence, problem: found.problem },
          next: "replace the value with a PEM certificate, or remove it",
        }),
      );
      continue;
    }
    const cert = found.cert;
    const left = residual(cert, t.now);
    const next = renewalStep(found);
    if (cert.notBefore.getTime() > t.now.getTime()) {
      findings.push(
        finding("CERT_NOT_YET_VALID", {
          ...base,
          message: `${found.location}: ${cert.subject.dn} is not valid before ${cert.notBefore.toISOString()}`,
          next: "check the clock of the machine that issued it and of this one (timedatectl), or reissue it",
        }),
      );
    } else if (left <= 0) {
      const message = `${found.location}: ${cert.subject.dn} expired ${formatDuration(-left)} ago (${cert.notAfter.toISOString()})`;
      if (isCaBundle(found)) {
        const validBeside = certs.some(
          (other) =>
            other !== found &&
            sameBundle(other, found) &&
            other.cert?.isCA &&
            other.cert.notBefore <= t.now &&
            residual(other.cert, t.now) > 0,
        );
        findings.push(
          finding("CABUNDLE_EXPIRED", {
            ...base,
            case: validBeside ? "valid-ca-beside-it" : "no-valid-ca-left",
            message: validBeside ? `${message}; a valid CA beside it in the bundle still verifies` : message,
            next,
          }),
        );
      } else findings.push(finding("CERT_EXPIRED", { ...base, message, next }));
    } else if (left <= t.warnWithinMs) {
      findings.push(
        finding(cert.isCA ? "CA_EXPIRING" : "CERT_EXPIRING", {
          ...base,
          case: left <= t.criticalWithinMs ? "within-critical-window" : "within-warning-window",
          message: `${found.location}: ${cert.subject.dn} expires in ${formatDuration(left)} (${cert.notAfter.toISOString()})`,
          next,
        }),
      );
    }
  }
  return findings;
}
