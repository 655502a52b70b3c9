import type { KubeClient, ResourceRef } from "@kubemend/lib/kube/client";
import { resourcePath } from "@kubemend/lib/kube/client";

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
