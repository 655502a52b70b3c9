import type { KubeClient } from "@kubemend/lib/kube/client";
import type { ReviewSettings } from "../collect/context.js";
import type { Review } from "../policy/review.js";
import { type CertificateSigningRequest, KUBELET_SERVING_SIGNER, RULES } from "../policy/types.js";
import { type Plan, reReview } from "./plan.js";

/** What carrying out a plan needs to know of the rules it was made with. */
export interface ApprovalPolicy {
  /** The kubectl csr subcommand, named in the conditions it writes. */
  command: "approve-serving" | "approve-client";
  /** Only CSRs of this signer are ever denied by --deny-invalid. */
  signerName: string;
  /** The Approved condition's message. */
  approveText(caller: string, plan: Plan): string;
  /** The CSR checked again as it is now, after a 409. */
  reReview(client: KubeClient, fresh: CertificateSigningRequest, plan: Plan): Promise<Review>;
  /** --max-expiration, checked against the certificate issued (--wait). */
  maxExpirationSeconds?: number;
}

/** approve-serving's rules, with the operator's optional limits. */
export function servingPolicy(settings: ReviewSettings): ApprovalPolicy {
  return {
    command: "approve-serving",
    signerName: KUBELET_SERVING_SIGNER,
    maxExpirationSeconds: settings.limits.maxExpirationSeconds,
    approveText: (caller, plan) => {
      const optional = new Set<string>();
      if (settings.limits.allowedCidrs.length > 0) optional.add("allowed-cidrs");
      if (settings.limits.dnsRegex) optional.add("dns-regex");
      if (settings.limits.maxExpirationSeconds !== undefined) optional.add("max-expiration");
      const rules = RULES.filter(
        (r) => !["allowed-cidrs", "dns-regex", "max-expiration"].includes(r) || optional.has(r),
      );
      return (
        `approved by ${caller} with kubectl csr approve-serving; rules held: ${rules.join(", ")}, newest; ` +
        `Service CIDR ${plan.serviceCidrs?.cidrs.join(",") || "unknown"}`
      );
    },
    reReview: (client, fresh, plan) => reReview(client, fresh, plan, settings),
  };
}
