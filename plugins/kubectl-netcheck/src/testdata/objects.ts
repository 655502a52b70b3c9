// Builders for the API objects the checks read, shaped as the API server returns them.
import type { AgentPod } from "../collect/agents.js";
import type { CollectedApiServer } from "../collect/apiserver.js";
import type { CollectedDns } from "../collect/dns.js";
import type { CollectedService } from "../collect/service.js";
import type {
  Condition,
  ContainerPort,
  ContainerStatus,
  EndpointSlice,
  Event,
  Node,
  Pod,
  Service,
} from "../model.js";

const cond = (type: string, ok: boolean, extra: Partial<Condition> = {}): Condition => ({
  type,
  status: ok ? "True" : "False",
  ...extra,
});

export function pod(
  name: string,
  options: {
    namespace?: string;
    labels?: Record<string, string>;
    node?: string;
    ready?: boolean;
    ip?: string;
    ports?: ContainerPort[];
    waiting?: string;
    phase?: string;
    conditions?: Condition[];
    command?: string[];
    annotations?: Record<string, string>;
  } = {},
): Pod {
  const ready = options.ready ?? true;
  const status: ContainerStatus = {
    name: "app",
    ready,
    restartCount: options.waiting === "CrashLoopBackOff" ? 7 : 0,
    state: options.waiting ? { waiting: { reason: options.waiting } } : { running: {} },
    lastState:
      options.waiting === "CrashLoopBackOff"
        ? { terminated: { exitCode: 2, reason: "Error", message: "bind: address in use" } }
        : {},
  };
  return {
    metadata: {
      name,
      namespace: options.namespace ?? "shop",
      labels: options.labels ?? { app: "web" },
      annotations: options.annotations,
    },
    spec: {
      nodeName: options.node === "" ? undefined : (options.node ?? "node-a"),
      containers: [
        {
          name: "app",
          command: options.command,
          ports: options.ports ?? [{ name: "http", containerPort: 8080 }],
        },
      ],
    },
    status: {
      phase: options.phase ?? "Running",
      podIP: options.ip ?? "10.244.1.10",
      conditions: options.conditions ?? [
        cond("PodScheduled", true),
        cond("PodReadyToStartContainers", true),
        cond("Ready", ready),
      ],
      containerStatuses: [status],
    },
  };
}

export function node(name: string, ready = true, extra: Condition[] = []): Node {
  return {
    metadata: { name },
    status: {
      conditions: [
        cond(
          "Ready",
          ready,
          ready ? {} : { reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." },
        ),
        ...extra,
      ],
    },
  };
}

export function service(name: string, spec: Partial<Service["spec"]> = {}, namespace = "shop"): Service {
  return {
    metadata: { name, namespace },
    spec: {
      clusterIP: "10.96.3.4",
      selector: { app: "web" },
      ports: [{ name: "http", port: 80, targetPort: "http" }],
      ...spec,
    },
  };
}

export function slice(
  service: string,
  endpoints: { ip: string; pod?: string; ready?: boolean; serving?: boolean; terminating?: boolean }[],
  namespace = "shop",
  port = 8080,
): EndpointSlice {
  return {
    metadata: { name: `${service}-abcde`, namespace, labels: { "kubernetes.io/service-name": service } },
    addressType: "IPv4",
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: {
        ready: e.ready ?? true,
        serving: e.serving ?? e.ready ?? true,
        terminating: e.terminating ?? false,
      },
      targetRef: e.pod ? { kind: "Pod", name: e.pod, namespace } : undefined,
    })),
    ports: [{ name: "https", port, protocol: "TCP" }],
  };
}

export function event(pod: string, reason: string, message: string, at = "2026-01-01T00:00:00Z"): Event {
  return {
    metadata: { name: `${pod}.${reason}`, namespace: "shop" },
    involvedObject: { kind: "Pod", name: pod, namespace: "shop" },
    type: "Warning",
    reason,
    message,
    lastTimestamp: at,
  };
}

export function agent(
  name: string,
  agentName: string,
  nodeName: string,
  options: Parameters<typeof pod>[1] = {},
): AgentPod {
  return {
    agent: agentName,
    role: agentName === "kube-proxy" ? "kube-proxy" : "cni",
    pod: pod(name, { namespace: "kube-system", node: nodeName, ...options }),
  };
}

export function healthyDns(): CollectedDns {
  return {
    service: service(
      "kube-dns",
      { clusterIP: "10.96.0.10", selector: { "k8s-app": "kube-dns" } },
      "kube-system",
    ),
    slices: [slice("kube-dns", [{ ip: "10.244.0.2" }, { ip: "10.244.0.3" }], "kube-system", 53)],
    pods: [
      pod("coredns-1", { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } }),
      pod("coredns-2", { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } }),
    ],
  };
}

export function healthyApiServer(): CollectedApiServer {
  return {
    service: service("kubernetes", { clusterIP: "10.96.0.1", selector: null }, "default"),
    slices: [slice("kubernetes", [{ ip: "10.2.1.151" }], "default", 6443)],
    pods: [
      pod("kube-apiserver-cp", {
        namespace: "kube-system",
        labels: { component: "kube-apiserver" },
        ip: "10.2.1.151",
        command: ["kube-apiserver", "--advertise-address=10.2.1.151", "--secure-port=6443"],
      }),
    ],
  };
}

/** A healthy Service shop/web with two Ready pods on node-a and node-b, and healthy node agents. */
export function healthyService(): CollectedService {
  return {
    namespace: "shop",
    name: "web",
    service: service("web"),
    similarNames: [],
    otherNamespaces: [],
    slices: [
      slice("web", [
        { ip: "10.244.1.10", pod: "web-1" },
        { ip: "10.244.2.10", pod: "web-2" },
      ]),
    ],
    pods: [
      pod("web-1", { node: "node-a", ip: "10.244.1.10" }),
      pod("web-2", { node: "node-b", ip: "10.244.2.10" }),
    ],
    nearMisses: [],
    nearMissSearch: "",
    nodes: new Map([
      ["node-a", node("node-a")],
      ["node-b", node("node-b")],
    ]),
    agents: [
      agent("kube-proxy-a", "kube-proxy", "node-a"),
      agent("kube-proxy-b", "kube-proxy", "node-b"),
      agent("calico-node-a", "calico-node", "node-a"),
      agent("calico-node-b", "calico-node", "node-b"),
    ],
    dns: healthyDns(),
    apiServer: healthyApiServer(),
    policies: [],
    namespaceLabels: new Map(),
    events: [],
    forbidden: [],
  };
}
