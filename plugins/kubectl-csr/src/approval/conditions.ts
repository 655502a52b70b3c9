import type { CertificateSigningRequest, CsrCondition } from "../policy/types.js";

export const APPROVE_REASON = "KubemendApproveServing";
export const DENY_REASON = "KubemendDeny";

/** Go's metav1.Time wire format. */
function apiTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function condition(
  type: "Approved" | "Denied",
  reason: string,
  message: string,
  now: Date,
): CsrCondition {
  const at = apiTime(now);
  return { type, status: "True", reason, message, lastUpdateTime: at, lastTransitionTime: at };
}

/**
 * The body for the approval subresource: the CSR exactly as it was validated (its resourceVersion
 * makes the API server refuse the write if it changed since) plus the new condition.
 */
export function withCondition(
  csr: CertificateSigningRequest,
  added: CsrCondition,
): CertificateSigningRequest {
  return {
    ...csr,
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    status: { ...csr.status, conditions: [...(csr.status?.conditions ?? []), added] },
  };
}
