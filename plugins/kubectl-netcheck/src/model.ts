// The parts of the Kubernetes objects netcheck reads, as the API serves them (core/v1,
// discovery.k8s.io/v1, networking.k8s.io/v1). Only the fields a check looks at are declared.
import type { KubeObject } from "@kubemend/lib/kube/client";

export type Protocol = "TCP" | "UDP" | "SCTP";

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ServicePort {
  name?: string;
  protocol?: Protocol;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface Service extends KubeObject {
  spec: {
    type?: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";
    clusterIP?: string;
    selector?: Record<string, string> | null;
    ports?: ServicePort[];
    externalName?: string;
    publishNotReadyAddresses?: boolean;
  };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: Protocol;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: ContainerPort[];
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number };
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface Pod extends KubeObject {
  spec: {
    nodeName?: string;
    hostNetwork?: boolean;
    containers: Container[];
    initContainers?: Container[];
    dnsPolicy?: string;
    dnsConfig?: { nameservers?: string[]; searches?: string[] };
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    hostIP?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface Endpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  nodeName?: string;
  targetRef?: { kind?: string; name?: string; namespace?: string; uid?: string };
}

export interface EndpointSlice extends KubeObject {
  addressType: string;
  endpoints?: Endpoint[] | null;
  ports?: { name?: string; port?: number; protocol?: Protocol }[] | null;
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean };
  status?: { conditions?: Condition[]; addresses?: { type: string; address: string }[] };
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  protocol?: Protocol;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyRule {
  /** `from` for ingress rules, `to` for egress rules. */
  from?: NetworkPolicyPeer[];
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicy extends KubeObject {
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ("Ingress" | "Egress")[];
    ingress?: NetworkPolicyRule[];
    egress?: NetworkPolicyRule[];
  };
}

export interface Namespace extends KubeObject {}

export interface Event extends KubeObject {
  involvedObject: { kind?: string; name?: string; namespace?: string; uid?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export const CORE = (resource: string, namespace?: string, name?: string) => ({
  group: "",
  version: "v1",
  resource,
  namespace,
  name,
});
export const DISCOVERY = (resource: string, namespace?: string) => ({
  group: "discovery.k8s.io",
  version: "v1",
  resource,
  namespace,
});
export const NETWORKING = (resource: string, namespace?: string) => ({
  group: "networking.k8s.io",
  version: "v1",
  resource,
  namespace,
});

export function conditionOf(obj: { status?: { conditions?: Condition[] } }, type: string) {
  return obj.status?.conditions?.find((c) => c.type === type);
}

export function isPodReady(pod: Pod): boolean {
  return conditionOf(pod, "Ready")?.status === "True";
}

export function isNodeReady(node: Node): boolean {
  return conditionOf(node, "Ready")?.status === "True";
}

export function podRef(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}
