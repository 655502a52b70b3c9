import { KubeClient } from "@kubemend/lib/kube/client";
import { type LightNode } from "./nodes.js";
export declare const GENERATOR = "serving-csrs";
export interface ServingRequest {
  node: LightNode;
  csrPem: string;
}
/** What an ECDSA kubelet asks for: no key encipherment. */
export declare const SERVING_USAGES: string[];
export interface CsrWorkload {
  seed: number | string;
  count: number;
  /** The cluster's address block (TestCluster.block), for the nodes' InternalIPs. */
  block: number;
}
/**
 * Registers the nodes and makes each one's key and PKCS#10 request (CN system:node:<name>,
 * O system:nodes, SANs its name and InternalIP), once: every run files the same requests anew.
 */
export declare function prepareServingRequests(
  admin: KubeClient,
  workload: CsrWorkload,
): Promise<ServingRequest[]>;
/** A client that acts as the node, through the admin's right to impersonate. */
export declare function impersonateNode(admin: KubeClient, node: string): Promise<KubeClient>;
/**
 * Files one pending CSR per request, each as its node, `concurrency` at a time, and returns their
 * names (generateName "csr-", as the kubelet's). Labelled with `run`, so one run's CSRs can be
 * found and deleted.
 */
export declare const RUN_LABEL = "bench.kubemend.dev/run";
export declare function fileServingCsrs(
  admin: KubeClient,
  requests: readonly ServingRequest[],
  options: {
    seed: number | string;
    run: string;
    concurrency?: number;
  },
): Promise<string[]>;
