import type { KubeClient } from "@kubemend/lib/kube/client";
import { type LightNode } from "./nodes.js";
export declare const GENERATOR = "services-pods";
export interface ServicesWorkload {
  seed: number | string;
  services: number;
  pods: number;
  namespaces: number;
  /** The cluster's address block (TestCluster.block), for the nodes' InternalIPs. */
  block: number;
}
export interface PlannedService {
  namespace: string;
  name: string;
  /** The Service's targetPort: the container port's name or its number. */
  targetPort: string | number;
}
export interface PlannedPod {
  namespace: string;
  name: string;
  service: number;
  node: number;
  ip: string;
}
export interface ServicesPlan {
  namespaces: string[];
  services: PlannedService[];
  pods: PlannedPod[];
  nodes: number;
}
/**
 * Node k's pod CIDR is 172.16.0.0/12 cut into /24s, as a CNI's per-node IPAM blocks; the pods
 * exist as objects only, so their addresses need not be routable inside the test network.
 */
export declare function podCidr(node: number): string;
/** Every Service selects at least one pod when there are enough; the rest go unevenly, as replicas do. */
export declare function planServices(workload: ServicesWorkload): ServicesPlan;
export interface ServicesResult {
  plan: ServicesPlan;
  nodes: LightNode[];
  /** Ready endpoints over all the workload's EndpointSlices, once they cover every pod. */
  readyEndpoints: number;
  ms: number;
  /** Stops renewing the nodes' Leases. */
  stop(): void;
}
/**
 * Creates the nodes, namespaces, Services and pods, reports the pods Running and Ready, and waits
 * until the controller-manager's EndpointSlices hold a ready endpoint for every pod.
 */
export declare function createServicesAndPods(
  admin: KubeClient,
  workload: ServicesWorkload,
  options?: {
    concurrency?: number;
    onError?: (err: unknown) => void;
  },
): Promise<ServicesResult>;
/** The EndpointSlice controller copies a Service's labels to its slices, so they select alike. */
export declare function countReadyEndpoints(
  admin: KubeClient,
  labels: Record<string, string>,
): Promise<number>;
