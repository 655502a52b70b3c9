import { describe, expect, it } from "vitest";
import { parseRegistryKey } from "./k8skey.js";

describe("parseRegistryKey", () => {
  it.each([
    [
      "/registry/deployments/prod/web",
      { group: "apps", resource: "deployments", namespace: "prod", name: "web" },
    ],
    [
      "/registry/services/specs/default/kubernetes",
      { group: "", resource: "services", namespace: "default", name: "kubernetes" },
    ],
    [
      "/registry/services/endpoints/default/kubernetes",
      { group: "", resource: "endpoints", namespace: "default", name: "kubernetes" },
    ],
    ["/registry/minions/node-1", { group: "", resource: "nodes", name: "node-1" }],
    [
      "/registry/pods/kube-system/etcd-cp",
      { group: "", resource: "pods", namespace: "kube-system", name: "etcd-cp" },
    ],
    [
      "/registry/events/default/web.17a",
      { group: "", resource: "events", namespace: "default", name: "web.17a" },
    ],
    [
      "/registry/secrets/default/token",
      { group: "", resource: "secrets", namespace: "default", name: "token" },
    ],
    [
      "/registry/configmaps/kube-system/kubeadm-config",
      { group: "", resource: "configmaps", namespace: "kube-system", name: "kubeadm-config" },
    ],
    [
      "/registry/leases/kube-node-lease/node-1",
      { group: "coordination.k8s.io", resource: "leases", namespace: "kube-node-lease", name: "node-1" },
    ],
    [
      "/registry/apiregistration.k8s.io/apiservices/v1beta1.metrics.k8s.io",
      { group: "apiregistration.k8s.io", resource: "apiservices", name: "v1beta1.metrics.k8s.io" },
    ],
    [
      "/registry/certificatesigningrequests/csr-jbphr",
      { group: "certificates.k8s.io", resource: "certificatesigningrequests", name: "csr-jbphr" },
    ],
    ["/registry/namespaces/default", { group: "", resource: "namespaces", name: "default" }],
    [
      "/registry/crd.projectcalico.org/ippools/default-ipv4-ippool",
      { group: "crd.projectcalico.org", resource: "ippools", name: "default-ipv4-ippool" },
    ],
    [
      "/registry/monitoring.coreos.com/servicemonitors/mon/app",
      { group: "monitoring.coreos.com", resource: "servicemonitors", namespace: "mon", name: "app" },
    ],
    [
      "/registry/controllers/default/rc",
      { group: "", resource: "replicationcontrollers", namespace: "default", name: "rc" },
    ],
    ["/registry/ranges/serviceips", { group: "", resource: "rangeallocations", name: "serviceips" }],
  ])("%s", (key, want) => {
    expect(parseRegistryKey(key)).toEqual({ ...want, known: true });
  });

  it("marks unknown resources and rejects keys outside the layout", () => {
    expect(parseRegistryKey("/registry/widgets/a/b")).toEqual({
      group: "",
      resource: "widgets",
      namespace: "a",
      name: "b",
      known: false,
    });
    expect(parseRegistryKey("/other/pods/a/b")).toBeUndefined();
    expect(parseRegistryKey("/registry/pods")).toBeUndefined();
    expect(parseRegistryKey("/registry/pods/a/b/c")).toBeUndefined();
    expect(parseRegistryKey("/registry/pods//b")).toBeUndefined();
    expect(parseRegistryKey("/kubernetes.io/pods/a/b", "/kubernetes.io/")).toMatchObject({
      resource: "pods",
    });
  });
});
