import type { Sans } from "@kubemend/lib/x509/extensions";
import { keyRule } from "./key.js";
import { limitsRule } from "./limits.js";
import { nodeAddressesRule } from "./node-addresses.js";
import { decodeRequest, requestRule } from "./request.js";
import { requestingNode, requestorRule } from "./requestor.js";
import { sansRule } from "./sans.js";
import { signerRule } from "./signer.js";
import { finalCondition, stateRule } from "./state.js";
import type {
  CertificateSigningRequest,
  CsrUnderReview,
  NodeIdentity,
  PolicyLimits,
  Rule,
  Violation,
} from "./types.js";
import { usagesRule } from "./usages.js";

/** Rules 1-9 in the order they are reported. Rule 10 (superseded) looks across CSRs: see supersede. */
export const RULE_CHAIN: readonly Rule[] = [
  signerRule,
  stateRule,
  requestorRule,
  requestRule,
  usagesRule,
  sansRule,
  nodeAddressesRule,
  keyRule,
  limitsRule,
];

export type Verdict = "approve" | "refuse" | "superseded";

export interface Review {
  name: string;
  csr: CertificateSigningRequest;
  /** The node that filed it (from spec.username), if a node did. */
  node: string | undefined;
  sans: Sans | undefined;
  verdict: Verdict;
  violations: Violation[];
  /** For a superseded CSR, the newer one approved instead. */
  supersededBy?: string;
}

export interface ReviewContext {
  /** The Node named by each CSR's requestor; a missing entry means the Node does not exist. */
  nodes: ReadonlyMap<string, NodeIdentity>;
  serviceCidrs: readonly string[];
  limits: PolicyLimits;
}

/** Runs every rule on one CSR; it is approvable only when none is violated. */
export function reviewCsr(csr: CertificateSigningRequest, context: ReviewContext): Review {
  const node = requestingNode(csr);
  const request = decodeRequest(csr);
  const input: CsrUnderReview = {
    csr,
    request,
    node: node === undefined ? undefined : context.nodes.get(node),
    serviceCidrs: context.serviceCidrs,
    limits: context.limits,
  };
  const violations = RULE_CHAIN.flatMap((rule) => rule(input));
  return {
    name: csr.metadata.name,
    csr,
    node,
    sans: request.ok ? request.csr.sans : undefined,
    verdict: violations.length === 0 ? "approve" : "refuse",
    violations,
  };
}

/** A CSR of a node that was already approved: pending CSRs older than it are superseded too. */
export interface ApprovedCsr {
  name: string;
  node: string;
  creationTimestamp: string;
}

/** The CSR as an ApprovedCsr, if a node filed it and it was approved. */
export function approvedCsr(csr: CertificateSigningRequest): ApprovedCsr | undefined {
  const node = requestingNode(csr);
  if (!node || finalCondition(csr) !== "Approved") return undefined;
  return { name: csr.metadata.name, node, creationTimestamp: csr.metadata.creationTimestamp ?? "" };
}

/**
 * Rule 10: of several approvable CSRs from one node, only the newest is approved, and none that is
 * older than one the node already had approved.
 */
export function supersede(reviews: readonly Review[], approved: readonly ApprovedCsr[] = []): Review[] {
  const newest = new Map<string, { name: string; created: string }>();
  const consider = (node: string, name: string, created: string) => {
    const best = newest.get(node);
    if (!best || created > best.created || (created === best.created && name > best.name))
      newest.set(node, { name, created });
  };
  for (const a of approved) consider(a.node, a.name, a.creationTimestamp);
  for (const r of reviews)
    if (r.verdict === "approve" && r.node !== undefined)
      consider(r.node, r.name, r.csr.metadata.creationTimestamp ?? "");
  return reviews.map((review) => {
    if (review.verdict !== "approve" || review.node === undefined) return review;
    const winner = newest.get(review.node);
    if (!winner || winner.name === review.name) return review;
    return { ...review, verdict: "superseded", supersededBy: winner.name };
  });
}
