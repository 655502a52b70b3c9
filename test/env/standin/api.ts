import type https from "node:https";
import { KubeClient, type KubeObject, type ResourceRef, resourcePath } from "@kubemend/lib/kube/client";
import { loadKubeConfig } from "@kubemend/lib/kube/kubeconfig";

export const NODES: ResourceRef = { group: "", version: "v1", resource: "nodes" };
export const CSRS: ResourceRef = {
  group: "certificates.k8s.io",
  version: "v1",
  resource: "certificatesigningrequests",
};
export const pods = (namespace?: string): ResourceRef => ({
  group: "",
  version: "v1",
  resource: "pods",
  namespace,
});
export const events = (namespace: string): ResourceRef => ({
  group: "",
  version: "v1",
  resource: "events",
  namespace,
});
export const NODE_LEASES: ResourceRef = {
  group: "coordination.k8s.io",
  version: "v1",
  resource: "leases",
  namespace: "kube-node-lease",
};

/** What a stand-in needs to open its own connections (watches) as the identity its client uses. */
export interface ApiConnection {
  server: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
}

export function clientFor(kubeconfig: string): Promise<KubeClient> {
  const config = loadKubeConfig(
    { kubeconfig, allNamespaces: false, asGroup: [], insecureSkipTlsVerify: false, requestTimeout: "30s" },
    { env: {} },
  );
  return KubeClient.create(config, { requestTimeoutMs: 30_000 });
}

/** The kubelet's final delete of a pod it has stopped: no grace, and only the pod it saw. */
export async function deleteNow(client: KubeClient, ref: ResourceRef, uid: string): Promise<void> {
  await client.request({
    method: "DELETE",
    path: resourcePath(ref),
    body: { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0, preconditions: { uid } },
    verb: "delete",
    ref,
  });
}

/** Go's metav1.MicroTime wire format. */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Go's metav1.Time wire format (seconds). */
export function time(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function tlsOptions(conn: ApiConnection): https.RequestOptions {
  const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "kubemend-standin" };
  if (conn.token) headers.Authorization = `Bearer ${conn.token}`;
  return { ca: conn.ca, cert: conn.cert, key: conn.key, headers };
}
