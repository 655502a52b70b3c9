import { BadInputError } from "@kubemend/lib/cli/errors";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { isNotFound } from "@kubemend/lib/kube/errors";
import { CORE, type Event, type NetworkPolicy, type Node, type Pod } from "../model.js";
import { type AgentPod, collectAgents } from "./agents.js";
import { type CollectedDns, collectDns } from "./dns.js";
import { Gaps } from "./gaps.js";
import { collectNodes, collectPodEvents } from "./nodes.js";
import { collectPolicyWorld } from "./policy.js";

export interface CollectedPod {
  pod: Pod;
  nodes: Map<string, Node | undefined>;
  agents: AgentPod[];
  events: Event[];
  policies: NetworkPolicy[];
  namespaceLabels: Map<string, Record<string, string>>;
  dns: CollectedDns;
  forbidden: string[];
}

export async function collectPod(client: KubeClient, namespace: string, name: string): Promise<CollectedPod> {
  const pod = await client.get<Pod>(CORE("pods", namespace, name)).catch((err) => {
    if (isNotFound(err))
      throw new BadInputError(`pod ${namespace}/${name} not found`, `kubectl get pods -n ${namespace}`);
    throw err;
  });
  const gaps = new Gaps();
  const [nodes, agents, events, world, dns] = await Promise.all([
    collectNodes(client, pod.spec.nodeName ? [pod.spec.nodeName] : [], gaps),
    collectAgents(client, gaps),
    collectPodEvents(client, [pod], gaps),
    gaps.read(`list networkpolicies in ${namespace}`, () => collectPolicyWorld(client, [namespace]), {
      policies: [],
      namespaceLabels: new Map(),
    }),
    collectDns(client, gaps),
  ]);
  return {
    pod,
    nodes,
    agents: agents.filter((a) => a.pod.spec.nodeName === pod.spec.nodeName),
    events,
    ...world,
    dns,
    forbidden: gaps.forbidden,
  };
}
