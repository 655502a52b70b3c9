import { metaTime } from "@kubemend/lib/kube/time";
import type { CertificateSigningRequest, CsrCondition } from "../policy/types.js";

/** The reasons kubemend writes, one per kind of decision (kubectl writes KubectlApprove/KubectlDeny). */
export const REASONS = {
  "approve-serving": "KubemendApproveServing",
  "approve-client": "KubemendApproveClient",
  /** --deny-invalid: a rule failed. */
  "deny-invalid": "KubemendDenyInvalid",
  /** kubectl csr deny: a person's decision. */
  deny: "KubemendDeny",
} as const;

export function condition(
  type: "Approved" | "Denied",
  reason: string,
  message: string,
  now: Date,
): CsrCondition {
  const at = metaTime(now);
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
