// Where kube-apiserver keeps objects in etcd: <prefix><resource prefix>/[<namespace>/]<name>.
// Built-in resources use their plural alone as the resource prefix (no group segment), a few use
// historical names (nodes are "minions", services "services/specs"), and custom resources and the
// aggregator's objects use "<group>/<resource>".

export const DEFAULT_PREFIX = "/registry/";

export interface RegistryKey {
  /** API group; "" for the core group. */
  group: string;
  /** Plural resource name as the API serves it (nodes, not minions). */
  resource: string;
  namespace?: string;
  name: string;
  /** False when the resource prefix is not a known built-in and had no group segment. */
  known: boolean;
}

type Target = readonly [group: string, resource: string];

const core = (resource: string): Target => ["", resource];

/** Resource prefixes (after the etcd prefix) of built-in resources. */
const BUILTIN = new Map<string, Target>([
  ["pods", core("pods")],
  ["services/specs", core("services")],
  ["services/endpoints", core("endpoints")],
  ["minions", core("nodes")],
  ["controllers", core("replicationcontrollers")],
  ["ranges", core("rangeallocations")],
  ["masterleases", core("masterleases")],
  ...[
    "namespaces",
    "configmaps",
    "secrets",
    "serviceaccounts",
    "persistentvolumes",
    "persistentvolumeclaims",
    "events",
    "limitranges",
    "resourcequotas",
    "podtemplates",
  ].map((r) => [r, core(r)] as const),
  ...groupOf("apps", ["deployments", "replicasets", "statefulsets", "daemonsets", "controllerrevisions"]),
  ...groupOf("batch", ["jobs", "cronjobs"]),
  ...groupOf("autoscaling", ["horizontalpodautoscalers"]),
  ...groupOf("policy", ["poddisruptionbudgets"]),
  ["podsecuritypolicy", ["policy", "podsecuritypolicies"]],
  ["ingress", ["networking.k8s.io", "ingresses"]],
  ...groupOf("networking.k8s.io", ["networkpolicies", "ingressclasses", "ipaddresses", "servicecidrs"]),
  ...groupOf("discovery.k8s.io", ["endpointslices"]),
  ...groupOf("rbac.authorization.k8s.io", ["roles", "rolebindings", "clusterroles", "clusterrolebindings"]),
  ...groupOf("storage.k8s.io", [
    "storageclasses",
    "volumeattachments",
    "csinodes",
    "csidrivers",
    "csistoragecapacities",
    "volumeattributesclasses",
  ]),
  ...groupOf("scheduling.k8s.io", ["priorityclasses"]),
  ...groupOf("node.k8s.io", ["runtimeclasses"]),
  ...groupOf("coordination.k8s.io", ["leases", "leasecandidates"]),
  ...groupOf("certificates.k8s.io", ["certificatesigningrequests", "clustertrustbundles"]),
  ...groupOf("admissionregistration.k8s.io", [
    "mutatingwebhookconfigurations",
    "validatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "mutatingadmissionpolicies",
    "mutatingadmissionpolicybindings",
  ]),
  ...groupOf("flowcontrol.apiserver.k8s.io", ["flowschemas", "prioritylevelconfigurations"]),
  ...groupOf("resource.k8s.io", [
    "resourceclaims",
    "resourceclaimtemplates",
    "deviceclasses",
    "resourceslices",
    "devicetaintrules",
  ]),
  ...groupOf("internal.apiserver.k8s.io", ["storageversions"]),
  ...groupOf("storagemigration.k8s.io", ["storageversionmigrations"]),
]);

function groupOf(group: string, resources: string[]): [string, Target][] {
  return resources.map((r) => [r, [group, r]]);
}

/** Splits an etcd key written by kube-apiserver; undefined when it is not under `prefix`. */
export function parseRegistryKey(key: string, prefix: string = DEFAULT_PREFIX): RegistryKey | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const parts = key.slice(prefix.length).split("/");
  if (parts.some((p) => p === "")) return undefined;
  let target: Target | undefined;
  let used = 0;
  let known = true;
  if (parts.length >= 3 && BUILTIN.has(`${parts[0]}/${parts[1]}`)) {
    target = BUILTIN.get(`${parts[0]}/${parts[1]}`);
    used = 2;
  } else if (parts.length >= 2 && BUILTIN.has(parts[0] as string)) {
    target = BUILTIN.get(parts[0] as string);
    used = 1;
  } else if (parts.length >= 3 && (parts[0] as string).includes(".")) {
    target = [parts[0] as string, parts[1] as string];
    used = 2;
  } else if (parts.length >= 2) {
    target = core(parts[0] as string);
    used = 1;
    known = false;
  }
  const rest = parts.slice(used);
  if (target === undefined || rest.length < 1 || rest.length > 2) return undefined;
  const [group, resource] = target;
  return rest.length === 2
    ? { group, resource, namespace: rest[0] as string, name: rest[1] as string, known }
    : { group, resource, name: rest[0] as string, known };
}
