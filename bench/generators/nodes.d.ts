import type { KubeClient } from "@kubemend/lib/kube/client";
import { type Node } from "../../test/env/standin/node.js";
export interface LightNode {
  name: string;
  ip: string;
  node: Node;
}
/** Node names follow from the generator and the seed, so two workloads in one cluster share no nodes. */
export declare function nodePrefix(generator: string, seed: number | string): string;
/**
 * The InternalIP of the i-th light node of a cluster: 10.2.<block>.1-128 first (below the load
 * balancer and the stand-ins), then 10.3.0.0/16 onwards. Nothing listens there: the Node objects
 * only need addresses that are theirs and unique.
 */
export declare function lightNodeIp(block: number, index: number): string;
/**
 * Registers `count` Node objects as the kubelet would (status with InternalIP and Hostname,
 * capacity, Ready), with admin credentials and no kubelet behind them.
 */
export declare function createLightNodes(
  admin: KubeClient,
  options: {
    block: number;
    prefix: string;
    count: number;
    concurrency?: number;
  },
): Promise<LightNode[]>;
/**
 * Keeps light nodes Ready by renewing their Leases, as their kubelets would. Without it the
 * node lifecycle controller marks them NotReady after its grace period, which turns their pods
 * NotReady and, five minutes later, evicts them.
 */
export declare function keepNodesReady(
  admin: KubeClient,
  nodes: readonly LightNode[],
  onError: (err: unknown) => void,
): Promise<{
  stop(): void;
}>;
