// The difference between two keyspaces given as user key → mod revision on each side, and what restoring the
// first would do to the second: keys only in the second disappear, keys only in the first come
// back, keys whose mod revision differs revert.

import { DEFAULT_PREFIX } from "../mvcc/k8skey.js";
import type { RevisionPairs } from "./pairs.js";
import { displayKey, nameOf, resourceLabel } from "./resource.js";

export type ChangeKind = "added" | "removed" | "changed";

export interface KeyChange {
  /** From A to B: added (only in B), removed (only in A), changed (mod revision differs). */
  change: ChangeKind;
  key: string;
  group: string;
  resource: string;
  namespace?: string;
  name: string;
  revisionA: number | null;
  revisionB: number | null;
}

export interface ResourceDiff {
  group: string;
  resource: string;
  added: number;
  removed: number;
  changed: number;
}

export interface KeyspaceDiff {
  /** Restoring A onto B: "restoring A would: 1 Deployment reverts, 2 Pods disappear, ...". */
  headline: string;
  summary: ResourceDiff[];
  changes: KeyChange[];
  unchanged: number;
}

export function diffKeyspaces(pairs: RevisionPairs, nameA: string, prefix = DEFAULT_PREFIX): KeyspaceDiff {
  const changes: KeyChange[] = [];
  let unchanged = 0;
  const add = (change: ChangeKind, key: string, revisionA: number | null, revisionB: number | null) => {
    const n = nameOf(key, prefix);
    changes.push({ change, key: displayKey(key), ...n, revisionA, revisionB });
  };
  for (const [key, revA, revB] of pairs.entries()) {
    if (revA === 0 && revB === 0) continue;
    if (revB === 0) add("removed", key, revA, null);
    else if (revA === 0) add("added", key, null, revB);
    else if (revB !== revA) add("changed", key, revA, revB);
    else unchanged++;
  }
  changes.sort(
    (x, y) =>
      resourceLabel(x.group, x.resource).localeCompare(resourceLabel(y.group, y.resource)) ||
      (x.namespace ?? "").localeCompare(y.namespace ?? "") ||
      x.name.localeCompare(y.name),
  );
  const summary: ResourceDiff[] = [];
  for (const c of changes) {
    let s = summary[summary.length - 1];
    if (s === undefined || s.group !== c.group || s.resource !== c.resource) {
      s = { group: c.group, resource: c.resource, added: 0, removed: 0, changed: 0 };
      summary.push(s);
    }
    s[c.change]++;
  }
  return { headline: headline(nameA, summary), summary, changes, unchanged };
}

const KINDS: Record<string, string> = {
  pods: "Pod",
  services: "Service",
  endpoints: "Endpoints",
  secrets: "Secret",
  configmaps: "ConfigMap",
  namespaces: "Namespace",
  nodes: "Node",
  serviceaccounts: "ServiceAccount",
  persistentvolumes: "PersistentVolume",
  persistentvolumeclaims: "PersistentVolumeClaim",
  events: "Event",
  deployments: "Deployment",
  replicasets: "ReplicaSet",
  statefulsets: "StatefulSet",
  daemonsets: "DaemonSet",
  controllerrevisions: "ControllerRevision",
  jobs: "Job",
  cronjobs: "CronJob",
  endpointslices: "EndpointSlice",
  leases: "Lease",
  roles: "Role",
  rolebindings: "RoleBinding",
  clusterroles: "ClusterRole",
  clusterrolebindings: "ClusterRoleBinding",
  customresourcedefinitions: "CustomResourceDefinition",
  ingresses: "Ingress",
  networkpolicies: "NetworkPolicy",
  certificatesigningrequests: "CertificateSigningRequest",
};

/** Workloads and their config first: what an operator checks before anything else. */
const PRIORITY = ["deployments", "statefulsets", "daemonsets", "pods", "services", "secrets", "configmaps"];

function noun(resource: string, n: number): string {
  const kind = KINDS[resource];
  if (kind === undefined) return resource;
  if (n === 1 || kind === "Endpoints") return kind;
  return kind.endsWith("y") ? `${kind.slice(0, -1)}ies` : kind.endsWith("s") ? `${kind}es` : `${kind}s`;
}

const VERBS: [keyof Omit<ResourceDiff, "group" | "resource">, string, string][] = [
  ["changed", "reverts", "revert"],
  ["added", "disappears", "disappear"],
  ["removed", "comes back", "come back"],
];

export function headline(nameA: string, summary: readonly ResourceDiff[]): string {
  const rank = (r: ResourceDiff) => {
    const i = PRIORITY.indexOf(r.resource);
    return r.group === "" || r.group === "apps" ? (i < 0 ? PRIORITY.length : i) : PRIORITY.length + 1;
  };
  const ordered = [...summary].sort((x, y) => rank(x) - rank(y));
  const parts: string[] = [];
  for (const [field, one, many] of VERBS)
    for (const r of ordered) {
      const n = r[field];
      if (n > 0) parts.push(`${n} ${noun(r.resource, n)} ${n === 1 ? one : many}`);
    }
  return parts.length === 0
    ? `restoring ${nameA} would change nothing: the keyspaces are the same`
    : `restoring ${nameA} would: ${parts.join(", ")}`;
}
