import type { KubeClient } from "@kubemend/lib/kube/client";
import { formatDuration } from "@kubemend/lib/output/duration";
import { getBootstrapTokens } from "../collect/bootstrap-tokens.js";
import { listCsrs } from "../collect/csrs.js";
import { getNodes } from "../collect/nodes.js";
import {
  type ApprovedClientCsr,
  approvedClientCsr,
  type ClientReviewContext,
  requestedNode,
  reviewClientCsr,
  supersedeClients,
} from "../policy/client.js";
import { decodeRequest } from "../policy/request.js";
import { isPending } from "../policy/state.js";
import { type CertificateSigningRequest, CLIENT_RULES, KUBELET_CLIENT_SIGNER } from "../policy/types.js";
import type { Plan } from "./plan.js";
import type { ApprovalPolicy } from "./policy.js";

export interface ClientSettings {
  allowExistingNode: boolean;
  /** At most one approved client CSR per node within this window. */
  windowMs: number;
}

/** Reads what the client rules need for these CSRs: their tokens and the nodes they name. */
async function clientContext(
  client: KubeClient,
  csrs: readonly CertificateSigningRequest[],
  settings: ClientSettings,
  now: Date,
): Promise<ClientReviewContext> {
  const ids = csrs
    .map((c) => c.spec.username ?? "")
    .filter((u) => u.startsWith("system:bootstrap:"))
    .map((u) => u.slice("system:bootstrap:".length));
  const names = csrs.flatMap((c) => {
    const request = decodeRequest(c);
    const node = request.ok ? requestedNode(request.csr.subject.cn) : undefined;
    return node === undefined ? [] : [node];
  });
  const [tokens, nodes] = await Promise.all([getBootstrapTokens(client, ids), getNodes(client, names)]);
  return { tokens, nodes, now, allowExistingNode: settings.allowExistingNode };
}

/**
 * Every kubelet client CSR is read once: the pending ones to decide on (all, or the named ones)
 * and the approved ones, so that a node approved within the window gets no second certificate
 * whichever CSRs were named.
 */
export async function planClientApprovals(
  client: KubeClient,
  selection: { names: readonly string[] } | { all: true },
  settings: ClientSettings,
  now: Date,
): Promise<Plan> {
  const wanted = "names" in selection ? new Set(selection.names) : undefined;
  const found: CertificateSigningRequest[] = [];
  const approved: ApprovedClientCsr[] = [];
  for await (const csr of listCsrs(client, { signerName: KUBELET_CLIENT_SIGNER })) {
    const done = approvedClientCsr(csr);
    if (done) approved.push(done);
    if (wanted ? wanted.has(csr.metadata.name) : isPending(csr)) found.push(csr);
  }
  const missing = wanted ? [...wanted].filter((name) => !found.some((c) => c.metadata.name === name)) : [];
  const context = await clientContext(client, found, settings, now);
  const reviews = supersedeClients(
    found.map((csr) => reviewClientCsr(csr, context)),
    approved.filter((a) => !found.some((c) => c.metadata.name === a.name)),
    settings.windowMs,
    now,
  );
  return { reviews, missing };
}

/** approve-client's rules for carrying out a plan. */
export function clientPolicy(settings: ClientSettings, now: () => Date): ApprovalPolicy {
  return {
    command: "approve-client",
    signerName: KUBELET_CLIENT_SIGNER,
    approveText: (caller) =>
      `approved by ${caller} with kubectl csr approve-client; rules held: ${CLIENT_RULES.join(", ")}; ` +
      `one per node within ${formatDuration(settings.windowMs)}`,
    reReview: async (client, fresh) =>
      reviewClientCsr(fresh, await clientContext(client, [fresh], settings, now())),
  };
}
