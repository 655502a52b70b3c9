// NetworkPolicy semantics as the Kubernetes documentation states them
// (concepts/services-networking/network-policies): a pod is isolated for a direction once any
// policy in its namespace selects it with that policy type; traffic is then allowed only if some
// rule of those policies admits it, and a connection needs both the sender's egress and the
// receiver's ingress to allow it. Policies are additive; none can deny what another allows.

import { ipInCidr } from "@kubemend/lib/net/cidr";
import { selectorMatches } from "../labels.js";
import type {
  ContainerPort,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  Pod,
  Protocol,
} from "../model.js";

/** One end of a connection: a pod (namespace set), or an address outside the cluster (ip only). */
export interface Workload {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  ip?: string;
  /** The pod's container ports, which named ports in policies resolve against. */
  ports?: ContainerPort[];
}

/** A pod as one end of a connection: what policies select it by, and the ports they name. */
export function workloadOfPod(pod: Pod): Workload {
  return {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    labels: pod.metadata.labels ?? {},
    ip: pod.status?.podIP,
    ports: pod.spec.containers.flatMap((c) => c.ports ?? []),
  };
}

export interface Connection {
  from: Workload;
  to: Workload;
  port: number;
  protocol?: Protocol;
}

export interface PolicyWorld {
  policies: readonly NetworkPolicy[];
  /** Namespace labels by namespace name, for namespaceSelector. */
  namespaceLabels: ReadonlyMap<string, Record<string, string>>;
}

export type Direction = "Ingress" | "Egress";

export interface RuleRef {
  policy: string;
  direction: Direction;
  /** Index of the rule within the policy's ingress or egress list. */
  rule: number;
}

export interface DirectionVerdict {
  direction: Direction;
  /** The pod this direction is enforced on; undefined for an address outside the cluster. */
  pod?: string;
  /** Policies (namespace/name) that select the pod for this direction. */
  isolatedBy: string[];
  allowedBy: RuleRef[];
  allowed: boolean;
}

export interface PolicyVerdict {
  allowed: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
  /** "allowed by …" or "denied by …", one line. */
  reason: string;
}

const policyName = (p: NetworkPolicy) => `${p.metadata.namespace}/${p.metadata.name}`;
const workloadName = (w: Workload) =>
  w.namespace ? `${w.namespace}/${w.name ?? w.ip ?? "?"}` : (w.ip ?? "an outside address");

/** The policy types a policy has, with the API's default when policyTypes is empty. */
export function policyTypes(policy: NetworkPolicy): Direction[] {
  const declared = policy.spec.policyTypes ?? [];
  if (declared.length > 0) return declared;
  return (policy.spec.egress?.length ?? 0) > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

/** Whether the policy selects the pod for the direction. */
export function selects(policy: NetworkPolicy, pod: Workload, direction: Direction): boolean {
  return (
    pod.namespace !== undefined &&
    policy.metadata.namespace === pod.namespace &&
    policyTypes(policy).includes(direction) &&
    selectorMatches(policy.spec.podSelector ?? {}, pod.labels)
  );
}

function peerMatches(
  peer: NetworkPolicyPeer,
  policyNamespace: string,
  other: Workload,
  world: PolicyWorld,
): boolean {
  if (peer.ipBlock) {
    if (!other.ip || !ipInCidr(other.ip, peer.ipBlock.cidr)) return false;
    return !(peer.ipBlock.except ?? []).some((cidr) => ipInCidr(other.ip as string, cidr));
  }
  if (!peer.podSelector && !peer.namespaceSelector) return false;
  if (other.namespace === undefined) return false;
  const namespaceOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, world.namespaceLabels.get(other.namespace))
    : other.namespace === policyNamespace;
  return namespaceOk && (!peer.podSelector || selectorMatches(peer.podSelector, other.labels));
}

/** A named port means the destination pod's container port of that name and protocol. */
function portMatches(entry: NetworkPolicyPort, conn: Connection): boolean {
  const protocol = conn.protocol ?? "TCP";
  if ((entry.protocol ?? "TCP") !== protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === "string") {
    if (/^\d+$/.test(entry.port)) return Number(entry.port) === conn.port;
    return (conn.to.ports ?? []).some(
      (p) => p.name === entry.port && (p.protocol ?? "TCP") === protocol && p.containerPort === conn.port,
    );
  }
  if (entry.endPort !== undefined) return conn.port >= entry.port && conn.port <= entry.endPort;
  return entry.port === conn.port;
}

function evaluate(direction: Direction, conn: Connection, world: PolicyWorld): DirectionVerdict {
  const pod = direction === "Ingress" ? conn.to : conn.from;
  const other = direction === "Ingress" ? conn.from : conn.to;
  const selecting = world.policies.filter((p) => selects(p, pod, direction));
  const allowedBy: RuleRef[] = [];
  for (const policy of selecting) {
    const rules = (direction === "Ingress" ? policy.spec.ingress : policy.spec.egress) ?? [];
    rules.forEach((rule, index) => {
      const peers = (direction === "Ingress" ? rule.from : rule.to) ?? [];
      const peerOk =
        peers.length === 0 ||
        peers.some((peer) => peerMatches(peer, policy.metadata.namespace as string, other, world));
      const portOk = (rule.ports ?? []).length === 0 || (rule.ports ?? []).some((p) => portMatches(p, conn));
      if (peerOk && portOk) allowedBy.push({ policy: policyName(policy), direction, rule: index });
    });
  }
  return {
    direction,
    pod: pod.namespace ? workloadName(pod) : undefined,
    isolatedBy: selecting.map(policyName),
    allowedBy,
    allowed: selecting.length === 0 || allowedBy.length > 0,
  };
}

export function describeRule(ref: RuleRef): string {
  return `${ref.policy} (${ref.direction.toLowerCase()} rule ${ref.rule + 1})`;
}

function explain(v: DirectionVerdict, conn: Connection): string {
  const dir = v.direction.toLowerCase();
  if (!v.allowed)
    return `denied by ${v.isolatedBy.join(", ")}: ${dir} of ${v.pod} is isolated and no rule admits ${workloadName(
      v.direction === "Ingress" ? conn.from : conn.to,
    )} on ${conn.protocol ?? "TCP"}/${conn.port}`;
  if (v.isolatedBy.length === 0) return v.pod ? `no policy isolates ${dir} of ${v.pod}` : "";
  return `allowed by ${v.allowedBy.map(describeRule).join(", ")}`;
}

/** The verdict for one connection: egress at the sender, then ingress at the receiver. */
export function simulate(conn: Connection, world: PolicyWorld): PolicyVerdict {
  const egress = evaluate("Egress", conn, world);
  const ingress = evaluate("Ingress", conn, world);
  const allowed = egress.allowed && ingress.allowed;
  const reason = !egress.allowed
    ? explain(egress, conn)
    : !ingress.allowed
      ? explain(ingress, conn)
      : [explain(egress, conn), explain(ingress, conn)].filter(Boolean).join("; ");
  return { allowed, egress, ingress, reason };
}

/**
 * For a pod and a port, whether any source at all may reach it: the ingress rules that admit the
 * port from someone, or none while policies isolate the pod (NETPOL_BLOCKS).
 */
export function ingressOpenings(
  pod: Workload,
  port: number,
  protocol: Protocol,
  policies: readonly NetworkPolicy[],
): { isolatedBy: string[]; rules: RuleRef[] } {
  const selecting = policies.filter((p) => selects(p, pod, "Ingress"));
  const conn: Connection = { from: {}, to: pod, port, protocol };
  const rules: RuleRef[] = [];
  for (const policy of selecting)
    (policy.spec.ingress ?? []).forEach((rule, index) => {
      const ports = rule.ports ?? [];
      if (ports.length === 0 || ports.some((p) => portMatches(p, conn)))
        rules.push({ policy: policyName(policy), direction: "Ingress", rule: index });
    });
  return { isolatedBy: selecting.map(policyName), rules };
}
