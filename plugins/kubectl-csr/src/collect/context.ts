import type { KubeClient } from "@kubemend/lib/kube/client";
import { requestingNode } from "../policy/requestor.js";
import type { ReviewContext } from "../policy/review.js";
import type { CertificateSigningRequest, PolicyLimits } from "../policy/types.js";
import { getNodes } from "./nodes.js";
import { discoverServiceCidrs, type ServiceCidrs } from "./service-cidr.js";

export interface ReviewSettings {
  limits: PolicyLimits;
  /** --service-cidr: used instead of discovering the Service CIDRs. */
  serviceCidrs?: string[];
}

/** Reads what the rules need for these CSRs: their nodes and the Service CIDRs. */
export async function collectReviewContext(
  client: KubeClient,
  csrs: readonly CertificateSigningRequest[],
  settings: ReviewSettings,
  serviceCidrs?: ServiceCidrs,
): Promise<ReviewContext & { serviceCidrSource: string }> {
  const names = csrs.map(requestingNode).filter((n): n is string => n !== undefined);
  const [nodes, service] = await Promise.all([
    getNodes(client, names),
    serviceCidrs ??
      (settings.serviceCidrs
        ? { cidrs: settings.serviceCidrs, source: "--service-cidr" }
        : discoverServiceCidrs(client)),
  ]);
  return { nodes, serviceCidrs: service.cidrs, serviceCidrSource: service.source, limits: settings.limits };
}
