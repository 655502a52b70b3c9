import { type CsrParseResult, parseCsr } from "@kubemend/lib/x509/csr";
import type { CertificateSigningRequest, Rule } from "./types.js";

const NODES_GROUP = "system:nodes";

/** spec.request is the base64 of a PEM block (the API server accepts nothing else). */
export function decodeRequest(csr: CertificateSigningRequest): CsrParseResult {
  const pem = Buffer.from(csr.spec.request ?? "", "base64").toString("latin1");
  if (pem.length === 0) return { ok: false, error: "spec.request is empty" };
  return parseCsr(pem);
}

/** Rule 4: a well-formed, self-signed PKCS#10 request for exactly CN=<spec.username>, O=system:nodes. */
export const requestRule: Rule = ({ csr, request }) => {
  if (!request.ok) return [{ rule: "request", message: `request does not parse: ${request.error}` }];
  const violations = [];
  const { subject } = request.csr;
  if (!request.csr.signatureValid)
    violations.push({ rule: "request" as const, message: "request's self-signature does not verify" });
  const expected = `CN=${csr.spec.username ?? ""},O=${NODES_GROUP}`;
  const exact =
    subject.cn === csr.spec.username &&
    subject.o.length === 1 &&
    subject.o[0] === NODES_GROUP &&
    subject.dn === expected;
  if (!exact)
    violations.push({
      rule: "request" as const,
      message: `subject is "${subject.dn}", expected "${expected}"`,
    });
  return violations;
};
