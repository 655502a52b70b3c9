import { mapLimit } from "@kubemend/lib/concurrency";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { type Node, NodeHeartbeat, registerNode } from "../../test/env/standin/node.js";

export interface LightNode {
  name: string;
  ip: string;
  node: Node;
}

/** Node names follow from the generator and the seed, so two workloads in one cluster share no nodes. */
export function nodePrefix(generator: string, seed: number | string): string {
  return `${generator}-${String(seed)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")}`;
}

/** Addresses a cluster's stand-ins and load balancer use in its 10.2.<block>.0/24 (see TestCluster). */
const BLOCK_HOSTS = 128;

/**
 * The InternalIP of the i-th light node of a cluster: 10.2.<block>.1-128 first (below the load
 * balancer and the stand-ins), then 10.3.0.0/16 onwards. Nothing listens there: the Node objects
 * only need addresses that are theirs and unique.
 */
export function lightNodeIp(block: number, index: number): string {
  if (index < BLOCK_HOSTS) return `10.2.${block}.${index + 1}`;
  const rest = index - BLOCK_HOSTS;
  const hostsPerSubnet = 254;
  const subnet = Math.floor(rest / hostsPerSubnet);
  return `10.${3 + Math.floor(subnet / 256)}.${subnet % 256}.${(rest % hostsPerSubnet) + 1}`;
}

/**
 * Registers `count` Node objects as the kubelet would (status with InternalIP and Hostname,
 * capacity, Ready), with admin credentials and no kubelet behind them.
 */
export async function createLightNodes(
  admin: KubeClient,
  options: { block: number; prefix: string; count: number; concurrency?: number },
): Promise<LightNode[]> {
  const specs = Array.from({ length: options.count }, (_, i) => ({
    name: `${options.prefix}-${i}`,
    ip: lightNodeIp(options.block, i),
  }));
  return mapLimit(specs, options.concurrency ?? 16, async ({ name, ip }) => ({
    name,
    ip,
    node: await registerNode(admin, { name, ip, controlPlane: false }),
  }));
}

/**
 * Keeps light nodes Ready by renewing their Leases, as their kubelets would. Without it the
 * node lifecycle controller marks them NotReady after its grace period, which turns their pods
 * NotReady and, five minutes later, evicts them.
 */
export async function keepNodesReady(
  admin: KubeClient,
  nodes: readonly LightNode[],
  onError: (err: unknown) => void,
): Promise<{ stop(): void }> {
  const beats = nodes.map(
    (n) =>
      new NodeHeartbeat(
        admin,
        { name: n.name, ip: n.ip, controlPlane: false },
        n.node,
        // Within the 40 s lease; status only now and then, the lease is what counts.
        { leaseIntervalMs: 15_000, statusIntervalMs: 600_000, onError },
      ),
  );
  await mapLimit(beats, 16, (beat) => beat.start());
  return {
    stop: () => {
      for (const beat of beats) beat.stop();
    },
  };
}
