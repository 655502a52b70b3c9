import { mapLimit } from "@kubemend/lib/concurrency";
import type { KubeClient, KubeObject } from "@kubemend/lib/kube/client";
import { isForbidden } from "@kubemend/lib/kube/errors";
import { probeTls } from "@kubemend/lib/net/tls-probe";
import type { CertBundle, FoundCert, NodeServing, SourceWarning } from "../model.js";
import { certsFromChain } from "./bundle.js";
import type { Source } from "./context.js";
import { kubeconfigTrust } from "./kubeconfig-trust.js";
import { isLocalAddress } from "./local.js";

interface Node extends KubeObject {
  status?: {
    addresses?: { type: string; address: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

interface Csr extends KubeObject {
  spec?: { signerName?: string; username?: string };
  status?: { conditions?: { type: string }[]; certificate?: string };
}

export const KUBELET_SERVING_SIGNER = "kubernetes.io/kubelet-serving";

/**
 * Each kubelet's serving certificate, from a TLS handshake with InternalIP:<kubeletEndpoint
 * port>, a few nodes at a time with a short timeout; and the kubelet-serving CSRs still Pending.
 */
export const nodesSource: Source = async (ctx) => {
  const client = await ctx.client();
  const nodes: Node[] = [];
  for await (const node of client.list<Node>(
    { group: "", version: "v1", resource: "nodes" },
    { limit: ctx.options.chunkSize },
  ))
    nodes.push(node);
  const warnings: SourceWarning[] = [];
  const pending = await pendingServingCsrs(client).catch((err) => {
    if (!isForbidden(err)) throw err;
    warnings.push({
      source: "nodes",
      message: (err as Error).message,
      hint: (err as { hint?: string }).hint,
    });
    return new Map<string, NodeServing["pendingCsrs"]>();
  });
  const certs: FoundCert[] = [];
  const bundles: CertBundle[] = [];
  const serving = await mapLimit(nodes, ctx.options.concurrency, async (node): Promise<NodeServing> => {
    const name = node.metadata.name;
    const addresses = node.status?.addresses ?? [];
    const ip = addresses.find((a) => a.type === "InternalIP")?.address;
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    const base = { name, addresses, pendingCsrs: pending.get(name) ?? [] };
    if (!ip || !port) return { ...base, error: "the node reports no InternalIP or kubelet port" };
    const result = await probeTls({ host: ip, port, timeoutMs: ctx.options.probeTimeoutMs });
    if (!result.ok) return { ...base, endpoint: result.endpoint, error: result.error };
    const holder = { kind: "Node", name };
    certs.push(
      ...certsFromChain(result.chain, {
        source: "nodes",
        location: result.endpoint,
        holder,
        served: {
          endpoint: result.endpoint,
          host: ip,
          local: await isLocalAddress(ip),
          component: "kubelet",
          nodeName: name,
        },
      }),
    );
    if (result.chain.length > 0)
      bundles.push({ source: "nodes", holder, location: result.endpoint, chain: result.chain });
    return { ...base, endpoint: result.endpoint, chain: result.chain };
  });
  // The kubelet-serving signer issues with the cluster CA, which the kubeconfig trusts: without it a
  // CA-issued kubelet certificate served with its CA would look self-signed.
  return { certs, bundles, nodes: serving, warnings, clusterCas: kubeconfigTrust(ctx.config()) ?? [] };
};

/** Pending kubelet-serving CSRs by node name (the requester is system:node:<name>). */
async function pendingServingCsrs(client: KubeClient): Promise<Map<string, NodeServing["pendingCsrs"]>> {
  const byNode = new Map<string, NodeServing["pendingCsrs"]>();
  for await (const csr of client.list<Csr>(
    { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" },
    { fieldSelector: `spec.signerName=${KUBELET_SERVING_SIGNER}` },
  )) {
    const decided = (csr.status?.conditions ?? []).some((c) =>
      ["Approved", "Denied", "Failed"].includes(c.type),
    );
    const node = csr.spec?.username?.match(/^system:node:(.+)$/)?.[1];
    if (decided || !node) continue;
    const list = byNode.get(node) ?? [];
    list.push({ name: csr.metadata.name, created: csr.metadata.creationTimestamp });
    byNode.set(node, list);
  }
  for (const list of byNode.values()) list.sort((a, b) => (a.created ?? "").localeCompare(b.created ?? ""));
  return byNode;
}
