import { describe, expect, it } from "vitest";
import type { CollectedPod } from "../collect/pod.js";
import { agent, event, healthyDns, node, pod } from "../testdata/objects.js";
import { checkCorefile } from "./dns.js";
import { checkPod } from "./pod.js";

const collected = (patch: Partial<CollectedPod> = {}): CollectedPod => ({
  pod: pod("web-1", { node: "node-a" }),
  nodes: new Map([["node-a", node("node-a")]]),
  agents: [agent("calico-node-a", "calico-node", "node-a")],
  events: [],
  policies: [],
  namespaceLabels: new Map(),
  dns: healthyDns(),
  forbidden: [],
  ...patch,
});

describe("netcheck pod checks", () => {
  it("a Ready pod on a healthy node has no findings", () => {
    expect(checkPod(collected())).toEqual([]);
  });

  it("a sandbox failure names the CNI error and the unhealthy CNI pod", () => {
    const findings = checkPod(
      collected({
        pod: pod("web-1", {
          ready: false,
          phase: "Pending",
          conditions: [{ type: "PodReadyToStartContainers", status: "False" }],
        }),
        events: [event("web-1", "FailedCreatePodSandBox", "failed to setup network: calico: Unauthorized")],
        agents: [
          agent("calico-node-a", "calico-node", "node-a", { ready: false, waiting: "CrashLoopBackOff" }),
        ],
      }),
    );
    expect(findings.map((f) => f.code)).toEqual(["PODS_NOT_READY", "CNI_UNHEALTHY"]);
    expect(findings[0]?.message).toBe(
      "the pod is not Ready: pod sandbox/CNI failure: failed to setup network: calico: Unauthorized",
    );
  });

  it("lists the policies that isolate it, and flags egress that cannot reach DNS", () => {
    const findings = checkPod(
      collected({
        policies: [
          {
            metadata: { name: "deny-egress", namespace: "shop" },
            spec: { podSelector: {}, policyTypes: ["Egress"] },
          },
        ],
      }),
    );
    expect(findings.map((f) => [f.code, f.severity, f.message])).toEqual([
      ["NETPOL_SELECTS", "info", "NetworkPolicies isolate the pod: ingress by none; egress by deny-egress"],
      [
        "NETPOL_BLOCKS",
        "critical",
        "egress to cluster DNS (UDP/53) is denied by shop/deny-egress: egress of shop/web-1 is isolated and no rule admits kube-system/coredns-1 on UDP/53",
      ],
    ]);
  });

  it("skips cluster DNS for a host-network pod with the Default policy", () => {
    const p = pod("web-1");
    p.spec.hostNetwork = true;
    expect(checkPod(collected({ pod: p, dns: { slices: [], pods: [] } }))).toEqual([]);
  });
});

describe("Corefile", () => {
  const corefile = (text: string) => checkCorefile({ ...healthyDns(), corefile: text });

  it("accepts kubeadm's Corefile", () => {
    expect(
      corefile(
        ".:53 {\n    errors\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n    }\n    forward . /etc/resolv.conf\n    loop\n}\n",
      ),
    ).toEqual([]);
  });

  it("flags a missing kubernetes plugin, upstream and loop detection", () => {
    expect(corefile(".:53 {\n    errors\n    cache 30\n}\n").map((f) => f.severity)).toEqual([
      "critical",
      "warning",
      "info",
    ]);
  });
});

describe("checkPod, findings in full", () => {
  const subject = { kind: "Pod", namespace: "shop", name: "web-1" };

  it("a not-Ready pod on a missing node, with its first five events", () => {
    const events = ["A", "B", "C", "D", "E", "F"].map((r) => event("web-1", r, `m${r}`));
    const findings = checkPod(
      collected({
        pod: pod("web-1", { node: "node-z", ready: false }),
        nodes: new Map([["node-z", undefined]]),
        events,
      }),
    );
    expect(findings).toEqual([
      {
        code: "PODS_NOT_READY",
        severity: "critical",
        subject,
        message: "the pod is not Ready: its node node-z does not exist",
        evidence: {
          cause: "NodeNotReady",
          podIP: "10.244.1.10",
          events: ["A: mA", "B: mB", "C: mC", "D: mD", "E: mE"],
        },
        next: "kubectl describe pod web-1 -n shop",
      },
      {
        code: "NODE_NOT_READY",
        severity: "critical",
        subject: { kind: "Node", name: "node-z" },
        message: "node node-z (it runs the pod) does not exist",
        next: "kubectl get nodes",
      },
      {
        code: "CNI_UNHEALTHY",
        severity: "critical",
        subject: { kind: "Node", name: "node-z" },
        message:
          "no calico-node pod runs on node node-z (it runs the pod), though it runs on other nodes; pods on this node cannot get or keep their network",
        evidence: { agent: "calico-node", node: "node-z", pods: [], reason: "no pod on the node" },
        next: "kubectl get daemonsets -A -o wide   # does the calico-node DaemonSet tolerate the node's taints?",
      },
    ]);
  });

  it("an unscheduled pod without an IP: no node, no agents", () => {
    const p = pod("web-1", { node: "", ready: false, conditions: [] });
    p.status = { ...p.status, podIP: undefined };
    expect(checkPod(collected({ pod: p, nodes: new Map() }))).toEqual([
      {
        code: "PODS_NOT_READY",
        severity: "critical",
        subject,
        message: "the pod is not Ready: unschedulable: not scheduled yet",
        evidence: { cause: "Unschedulable", podIP: null, events: [] },
        next: "kubectl describe pod web-1 -n shop",
      },
    ]);
  });

  it("a pod on a NotReady node that the node map knows", () => {
    const findings = checkPod(
      collected({
        pod: pod("web-1", { node: "node-a", ready: false }),
        nodes: new Map([["node-a", node("node-a", false)]]),
      }),
    );
    expect(findings[0]?.message).toBe(
      "the pod is not Ready: its node node-a is NotReady (NodeStatusUnknown: Kubelet stopped posting node status.)",
    );
    expect(findings[1]?.message).toBe(
      "node node-a (it runs the pod) is NotReady: NodeStatusUnknown: Kubelet stopped posting node status.",
    );
  });

  it("a host-network pod is not held to the node's CNI agent, but to cluster DNS with ClusterFirstWithHostNet", () => {
    const p = pod("web-1", { node: "node-a" });
    p.spec.hostNetwork = true;
    p.spec.dnsPolicy = "ClusterFirstWithHostNet";
    const broken = collected({
      pod: p,
      agents: [agent("calico-node-b", "calico-node", "node-b")],
      dns: { slices: [], pods: [] },
    });
    expect(checkPod(broken).map((f) => f.code)).toEqual(["DNS_UNHEALTHY"]);
    const noDnsPolicy = pod("web-1", { node: "node-a" });
    noDnsPolicy.spec.dnsPolicy = "Default";
    expect(checkPod(collected({ pod: noDnsPolicy, dns: { slices: [], pods: [] } }))).toEqual([]);
    const clusterFirst = pod("web-1", { node: "node-a" });
    clusterFirst.spec.dnsPolicy = "ClusterFirst";
    expect(
      checkPod(collected({ pod: clusterFirst, dns: { slices: [], pods: [] } })).map((f) => f.code),
    ).toEqual(["DNS_UNHEALTHY"]);
  });

  it("policies that isolate the pod in full, and egress that does reach DNS", () => {
    const policies = [
      {
        metadata: { name: "in-a", namespace: "shop" },
        spec: { podSelector: {}, policyTypes: ["Ingress" as const] },
      },
      {
        metadata: { name: "in-b", namespace: "shop" },
        spec: { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress" as const] },
      },
      {
        metadata: { name: "other", namespace: "shop" },
        spec: { podSelector: { matchLabels: { app: "db" } } },
      },
      {
        metadata: { name: "dns-out", namespace: "shop" },
        spec: {
          podSelector: {},
          policyTypes: ["Egress" as const],
          egress: [
            {
              to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "web" } } }],
              ports: [{ port: "dns", protocol: "UDP" as const }],
            },
          ],
        },
      },
    ];
    const dns = healthyDns();
    dns.pods = dns.pods.map((p) => {
      p.metadata.labels = { app: "web" };
      p.spec.containers[0] = {
        name: "coredns",
        ports: [{ name: "dns", containerPort: 53, protocol: "UDP" }],
      };
      return p;
    });
    expect(checkPod(collected({ policies, dns }))).toEqual([
      {
        code: "NETPOL_SELECTS",
        severity: "info",
        subject,
        message: "NetworkPolicies isolate the pod: ingress by in-a, in-b; egress by dns-out",
        evidence: { ingress: ["in-a", "in-b"], egress: ["dns-out"] },
        next: "kubectl netcheck policy -n shop --from web-1 --to POD:PORT",
      },
    ]);
    expect(checkPod(collected({ policies: policies.slice(0, 2) }))[0]?.message).toBe(
      "NetworkPolicies isolate the pod: ingress by in-a, in-b; egress by none",
    );
  });

  it("egress blocked to DNS in full", () => {
    const deny = {
      metadata: { name: "deny-egress", namespace: "shop" },
      spec: { podSelector: {}, policyTypes: ["Egress" as const] },
    };
    const [, blocked] = checkPod(collected({ policies: [deny] }));
    expect(blocked).toEqual({
      code: "NETPOL_BLOCKS",
      severity: "critical",
      subject,
      message:
        "egress to cluster DNS (UDP/53) is denied by shop/deny-egress: egress of shop/web-1 is isolated and no rule admits kube-system/coredns-1 on UDP/53",
      evidence: { isolatedBy: ["shop/deny-egress"] },
      next: "allow egress to kube-system pods labelled k8s-app=kube-dns on UDP and TCP 53",
    });
    expect(
      checkPod(collected({ policies: [deny], dns: { ...healthyDns(), pods: [] } })).map((f) => f.code),
    ).toEqual(["NETPOL_SELECTS", "DNS_UNHEALTHY"]);
  });
});
