import { IncompleteError } from "@kubemend/lib/cli/errors";
import { type AccessCheck, checkAccess, describeCheck } from "@kubemend/lib/kube/access";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { KUBELET_SERVING_SIGNER } from "../policy/types.js";

/** What approving or denying a CSR of a signer takes (the approval subresource and the signer). */
export function approvalAccess(signerName: string): readonly AccessCheck[] {
  return [
    {
      verb: "update",
      group: "certificates.k8s.io",
      resource: "certificatesigningrequests",
      subresource: "approval",
    },
    { verb: "approve", group: "certificates.k8s.io", resource: "signers", name: signerName },
  ];
}

export const APPROVAL_ACCESS = approvalAccess(KUBELET_SERVING_SIGNER);

/** SelfSubjectAccessReview before any write: one line naming what is missing, exit 3. */
export async function preflightApproval(
  client: KubeClient,
  action: "approve" | "deny",
  checks: readonly AccessCheck[] = APPROVAL_ACCESS,
): Promise<void> {
  const verdicts = await checkAccess(client, checks);
  const missing = verdicts.filter((v) => !v.allowed);
  if (missing.length === 0) return;
  throw new IncompleteError(
    `cannot ${action} CSRs: not allowed to ${missing.map(describeCheck).join(", nor ")}`,
    "bind a ClusterRole that grants these (deploy/csr-approver/rbac.yaml has one); check with: kubectl auth can-i update certificatesigningrequests/approval",
  );
}
