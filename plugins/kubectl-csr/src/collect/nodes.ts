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

/** A Node as both rule sets see it: its addresses (serving) and whether it is Ready (client). */
export type NodeView = NodeIdentity & NodeState;

/**
 * The named Nodes, read one by one (the approver's ClusterRole grants get, not list, on nodes);
 * a node that does not exist is absent from the map.
 */
export async function getNodes(client: KubeClient, names: Iterable<string>): Promise<Map<string, NodeView>> {
  const nodes = new Map<string, NodeView>();
  await mapLimit([...new Set(names)], 8, async (name) => {
    try {
      const node = await client.get<ApiNode>({ ...NODES, name });
      nodes.set(name, {
        name: node.metadata.name,
        addresses: node.status?.addresses ?? [],
        ready: node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  });
  return nodes;
}
