import type { KubeClient } from "@kubemend/lib/kube/client";
import { CORE, type Pod } from "../model.js";
import { collectList, type Gaps } from "./gaps.js";

export type AgentRole = "kube-proxy" | "cni";

/** The node agents netcheck knows by their DaemonSets' well-known pod labels. */
export const WELL_KNOWN_AGENTS: readonly { agent: string; role: AgentRole; key: string; value: string }[] = [
  { agent: "kube-proxy", role: "kube-proxy", key: "k8s-app", value: "kube-proxy" },
  { agent: "calico-node", role: "cni", key: "k8s-app", value: "calico-node" },
  { agent: "cilium", role: "cni", key: "k8s-app", value: "cilium" },
  { agent: "kube-router", role: "cni", key: "k8s-app", value: "kube-router" },
  { agent: "flannel", role: "cni", key: "app", value: "flannel" },
  { agent: "weave-net", role: "cni", key: "name", value: "weave-net" },
];

export interface AgentPod {
  agent: string;
  role: AgentRole;
  pod: Pod;
}

/**
 * Every node agent pod in the cluster, in any namespace (flannel lives in kube-flannel, the
 * Calico operator uses calico-system): one labelled list per label key, about one pod per node
 * and agent, never a list of all pods.
 */
export async function collectAgents(client: KubeClient, gaps: Gaps): Promise<AgentPod[]> {
  const byKey = new Map<string, string[]>();
  for (const a of WELL_KNOWN_AGENTS) byKey.set(a.key, [...(byKey.get(a.key) ?? []), a.value]);
  const lists = await Promise.all(
    [...byKey].map(([key, values]) =>
      gaps.read(
        "list pods (node agents) at the cluster scope",
        () =>
          collectList(client.list<Pod>(CORE("pods"), { labelSelector: `${key} in (${values.join(",")})` })),
        [] as Pod[],
      ),
    ),
  );
  const out: AgentPod[] = [];
  for (const pod of lists.flat()) {
    const known = WELL_KNOWN_AGENTS.find((a) => pod.metadata.labels?.[a.key] === a.value);
    if (known) out.push({ agent: known.agent, role: known.role, pod });
  }
  return out;
}
