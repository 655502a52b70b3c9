// What a user key names, for grouping: the Kubernetes resource with namespace and name, or a bucket
// for keys outside the registry prefix.

import { DEFAULT_PREFIX, parseRegistryKey } from "../mvcc/k8skey.js";

export interface KeyName {
  group: string;
  /** Plural resource; "(not kubernetes)" outside the prefix, "(unrecognized)" when it does not parse. */
  resource: string;
  namespace?: string;
  name: string;
}

export const NOT_KUBERNETES = "(not kubernetes)";
export const UNRECOGNIZED = "(unrecognized)";

/** A key as people read it (the map keys are latin1 strings so that any bytes round-trip). */
export function displayKey(latin1: string): string {
  return Buffer.from(latin1, "latin1").toString("utf8");
}

export function nameOf(latin1: string, prefix = DEFAULT_PREFIX): KeyName {
  const key = displayKey(latin1);
  if (!key.startsWith(prefix)) return { group: "", resource: NOT_KUBERNETES, name: key };
  const r = parseRegistryKey(key, prefix);
  if (r === undefined) return { group: "", resource: UNRECOGNIZED, name: key };
  return {
    group: r.group,
    resource: r.resource,
    ...(r.namespace !== undefined && { namespace: r.namespace }),
    name: r.name,
  };
}

/** "deployments.apps", "pods": the resource as kubectl names it. */
export function resourceLabel(group: string, resource: string): string {
  return group === "" ? resource : `${resource}.${group}`;
}
