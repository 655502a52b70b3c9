import { mapLimit } from "@kubemend/lib/concurrency";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { isNotFound } from "@kubemend/lib/kube/errors";
import type { NodeState } from "../policy/client.js";
import type { NodeAddress, NodeIdentity } from "../policy/types.js";
import { NODES } from "./refs.js";

interface ApiNode {
  metadata: { name: string };
  status?: { addresses?: NodeAddress[]; conditions?: { type: string; status: string }[] };
}

/**
 * The named Nodes, read one by one (the approver's ClusterRole grants get, not list, on nodes);
 * a node that does not exist is absent from the map.
 */
export async function getNodes(
  client: KubeClient,
  names: Iterable<string>,
): Promise<Map<string, NodeIdentity>> {
  const nodes = new Map<string, NodeIdentity>();
  await mapLimit([...new Set(names)], 8, async (name) => {
    try {
      const node = await client.get<ApiNode>({ ...NODES, name });
      nodes.set(name, { name: node.metadata.name, addresses: node.status?.addresses ?? [] });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  });
  return nodes;
}

/** The named Nodes that exist, and whether each is Ready (get by name, as getNodes). */
export async function getNodeStates(
  client: KubeClient,
  names: Iterable<string>,
): Promise<Map<string, NodeState>> {
  const nodes = new Map<string, NodeState>();
  await mapLimit([...new Set(names)], 8, async (name) => {
    try {
      const node = await client.get<ApiNode>({ ...NODES, name });
      const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
      nodes.set(name, { name: node.metadata.name, ready });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  });
  return nodes;
}
