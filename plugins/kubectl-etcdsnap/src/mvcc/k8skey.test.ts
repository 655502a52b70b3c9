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

describe("parseRegistryKey, every built-in resource prefix", () => {
  const core = [
    ["pods", "pods"],
    ["services/specs", "services"],
    ["services/endpoints", "endpoints"],
    ["minions", "nodes"],
    ["controllers", "replicationcontrollers"],
    ["ranges", "rangeallocations"],
    ["masterleases", "masterleases"],
    ["namespaces", "namespaces"],
    ["configmaps", "configmaps"],
    ["secrets", "secrets"],
    ["serviceaccounts", "serviceaccounts"],
    ["persistentvolumes", "persistentvolumes"],
    ["persistentvolumeclaims", "persistentvolumeclaims"],
    ["events", "events"],
    ["limitranges", "limitranges"],
    ["resourcequotas", "resourcequotas"],
    ["podtemplates", "podtemplates"],
  ].map(([prefix, resource]) => [prefix, "", resource]);
  const grouped = Object.entries({
    apps: ["deployments", "replicasets", "statefulsets", "daemonsets", "controllerrevisions"],
    batch: ["jobs", "cronjobs"],
    autoscaling: ["horizontalpodautoscalers"],
    policy: ["poddisruptionbudgets"],
    "networking.k8s.io": ["networkpolicies", "ingressclasses", "ipaddresses", "servicecidrs"],
    "discovery.k8s.io": ["endpointslices"],
    "rbac.authorization.k8s.io": ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
    "storage.k8s.io": [
      "storageclasses",
      "volumeattachments",
      "csinodes",
      "csidrivers",
      "csistoragecapacities",
      "volumeattributesclasses",
    ],
    "scheduling.k8s.io": ["priorityclasses"],
    "node.k8s.io": ["runtimeclasses"],
    "coordination.k8s.io": ["leases", "leasecandidates"],
    "certificates.k8s.io": ["certificatesigningrequests", "clustertrustbundles"],
    "admissionregistration.k8s.io": [
      "mutatingwebhookconfigurations",
      "validatingwebhookconfigurations",
      "validatingadmissionpolicies",
      "validatingadmissionpolicybindings",
      "mutatingadmissionpolicies",
      "mutatingadmissionpolicybindings",
    ],
    "flowcontrol.apiserver.k8s.io": ["flowschemas", "prioritylevelconfigurations"],
    "resource.k8s.io": [
      "resourceclaims",
      "resourceclaimtemplates",
      "deviceclasses",
      "resourceslices",
      "devicetaintrules",
    ],
    "internal.apiserver.k8s.io": ["storageversions"],
    "storagemigration.k8s.io": ["storageversionmigrations"],
  }).flatMap(([group, resources]) => resources.map((r) => [r, group, r]));
  const historical = [
    ["podsecuritypolicy", "policy", "podsecuritypolicies"],
    ["ingress", "networking.k8s.io", "ingresses"],
  ];

  it.each([...core, ...grouped, ...historical])("%s is %s/%s", (prefix, group, resource) => {
    expect(parseRegistryKey(`/registry/${prefix}/ns/x`)).toEqual({
      group,
      resource,
      namespace: "ns",
      name: "x",
      known: true,
    });
    expect(parseRegistryKey(`/registry/${prefix}/x`)).toEqual({ group, resource, name: "x", known: true });
  });

  it("a one-segment prefix that is not built in, without a dot, is not a group", () => {
    expect(parseRegistryKey("/registry/widgets.v1/x")).toEqual({
      group: "",
      resource: "widgets.v1",
      name: "x",
      known: false,
    });
    expect(parseRegistryKey("/registry/widgets/x")).toEqual({
      group: "",
      resource: "widgets",
      name: "x",
      known: false,
    });
    expect(parseRegistryKey("/registry/services/x")).toEqual({
      group: "",
      resource: "services",
      name: "x",
      known: false,
    });
    expect(parseRegistryKey("/registry/")).toBeUndefined();
    expect(parseRegistryKey("/registry/x")).toBeUndefined();
    expect(parseRegistryKey("/registry/example.com/widgets/a/b/c")).toBeUndefined();
  });
});
