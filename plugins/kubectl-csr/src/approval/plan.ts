import type { KubeClient } from "@kubemend/lib/kube/client";
import { collectReviewContext, type ReviewSettings } from "../collect/context.js";
import { getCsrs, listCsrs } from "../collect/csrs.js";
import type { ServiceCidrs } from "../collect/service-cidr.js";
import { type ApprovedCsr, approvedCsr, type Review, reviewCsr, supersede } from "../policy/review.js";
import { isPending } from "../policy/state.js";
import { type CertificateSigningRequest, KUBELET_SERVING_SIGNER } from "../policy/types.js";

export interface Plan {
  reviews: Review[];
  /** Names given on the command line that do not exist. */
  missing: string[];
  /** The Service CIDRs the serving rules checked SANs against (approve-serving only). */
  serviceCidrs?: ServiceCidrs;
}

/**
 * Reads the CSRs to decide on (the named ones, or every pending kubelet serving CSR) and reviews
 * each against every rule, then marks the older CSRs of a node as superseded.
 */
export async function planApprovals(
  client: KubeClient,
  selection: { names: readonly string[] } | { all: true },
  settings: ReviewSettings,
): Promise<Plan> {
  // Every kubelet serving CSR is listed once, whichever are decided on: an older CSR is
  // superseded by a newer approved one of its node even when only the older one is named.
  const pending: CertificateSigningRequest[] = [];
  const approvedListed: ApprovedCsr[] = [];
  for await (const csr of listCsrs(client, { signerName: KUBELET_SERVING_SIGNER })) {
    if (isPending(csr)) pending.push(csr);
    const done = approvedCsr(csr);
    if (done) approvedListed.push(done);
  }
  const csrs = "all" in selection ? { found: pending, missing: [] } : await getCsrs(client, selection.names);
  const decided = new Set(csrs.found.map((c) => c.metadata.name));
  const approved = [
    ...approvedListed.filter((a) => !decided.has(a.name)),
    ...csrs.found.flatMap((c) => approvedCsr(c) ?? []),
  ];
  const context = await collectReviewContext(client, csrs.found, settings);
  const reviews = supersede(
    csrs.found.map((csr) => reviewCsr(csr, context)),
    approved,
  );
  return {
    reviews,
    missing: csrs.missing,
    serviceCidrs: { cidrs: context.serviceCidrs as string[], source: context.serviceCidrSource },
  };
}

/** Reviews a CSR again as it is now, with its node read afresh (after a 409). */
export async function reReview(
  client: KubeClient,
  csr: Review["csr"],
  plan: Plan,
  settings: ReviewSettings,
): Promise<Review> {
  const context = await collectReviewContext(client, [csr], settings, plan.serviceCidrs);
  return reviewCsr(csr, context);
}
