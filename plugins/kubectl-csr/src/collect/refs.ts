import type { ResourceRef } from "@kubemend/lib/kube/client";

export const CSRS: ResourceRef = {
  group: "certificates.k8s.io",
  version: "v1",
  resource: "certificatesigningrequests",
};
export const NODES: ResourceRef = { group: "", version: "v1", resource: "nodes" };
export const CLUSTER_ROLE_BINDINGS: ResourceRef = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  resource: "clusterrolebindings",
};
