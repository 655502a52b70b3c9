import { describe, expect, it } from "vitest";
import type { Node } from "../model.js";
import { agent, event, node } from "../testdata/objects.js";
import { checkAgents, checkNodes } from "./agents.js";

describe("checkNodes, findings in full", () => {
  it("a missing node, a NotReady node and a node whose network is unavailable", () => {
    const noNetwork = node("node-c", true, [
      { type: "NetworkUnavailable", status: "True", reason: "NoRouteCreated", message: "no route" },
    ]);
    const bareNotReady: Node = { metadata: { name: "node-d" }, status: { conditions: [] } };
    const nodes = new Map<string, Node | undefined>([
      ["node-a", undefined],
      ["node-b", node("node-b", false)],
      ["node-c", noNetwork],
      ["node-d", bareNotReady],
      ["node-e", node("node-e", true, [{ type: "NetworkUnavailable", status: "False" }])],
      ["node-f", node("node-f", true, [{ type: "NetworkUnavailable", status: "True" }])],
    ]);
    expect(checkNodes(nodes, "it hosts selected pods")).toEqual([
      {
        code: "NODE_NOT_READY",
        severity: "critical",
        subject: { kind: "Node", name: "node-a" },
        message: "node node-a (it hosts selected pods) does not exist",
        next: "kubectl get nodes",
      },
      {
        code: "NODE_NOT_READY",
        severity: "critical",
        subject: { kind: "Node", name: "node-b" },
        message:
          "node node-b (it hosts selected pods) is NotReady: NodeStatusUnknown: Kubelet stopped posting node status.",
        evidence: {
          ready: {
            type: "Ready",
            status: "False",
            reason: "NodeStatusUnknown",
            message: "Kubelet stopped posting node status.",
          },
        },
        next: "kubectl describe node node-b   # then check the kubelet on the node: journalctl -u kubelet",
      },
      {
        code: "CNI_UNHEALTHY",
        severity: "critical",
        subject: { kind: "Node", name: "node-c" },
        message: "node node-c (it hosts selected pods) reports NetworkUnavailable: NoRouteCreated no route",
        evidence: {
          networkUnavailable: {
            type: "NetworkUnavailable",
            status: "True",
            reason: "NoRouteCreated",
            message: "no route",
          },
        },
        next: "kubectl describe node node-c",
      },
      {
        code: "NODE_NOT_READY",
        severity: "critical",
        subject: { kind: "Node", name: "node-d" },
        message: "node node-d (it hosts selected pods) is NotReady: no status",
        evidence: { ready: null },
        next: "kubectl describe node node-d   # then check the kubelet on the node: journalctl -u kubelet",
      },
      {
        code: "CNI_UNHEALTHY",
        severity: "critical",
        subject: { kind: "Node", name: "node-f" },
        message: "node node-f (it hosts selected pods) reports NetworkUnavailable:",
        evidence: { networkUnavailable: { type: "NetworkUnavailable", status: "True" } },
        next: "kubectl describe node node-f",
      },
    ]);
  });
});

describe("checkAgents, findings in full", () => {
  const involvement = (n: string) => `hosts web-${n}`;

  it("healthy agents on every node raise nothing; an agent that runs nowhere is no alarm", () => {
    const agents = [
      agent("kube-proxy-a", "kube-proxy", "node-a"),
      agent("calico-a", "calico-node", "node-a"),
    ];
    expect(checkAgents(agents, ["node-a"], [], involvement)).toEqual([]);
    expect(checkAgents([], ["node-a"], [], involvement)).toEqual([]);
  });

  it("a not-Ready kube-proxy, a terminating CNI pod and an agent missing from a node", () => {
    const terminating = agent("calico-b", "calico-node", "node-b");
    terminating.pod.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    const agents = [
      agent("kube-proxy-a", "kube-proxy", "node-a", { ready: false, waiting: "CrashLoopBackOff" }),
      agent("kube-proxy-b", "kube-proxy", "node-b"),
      agent("calico-a", "calico-node", "node-a"),
      terminating,
    ];
    const events = [event("kube-proxy-a", "BackOff", "Back-off restarting failed container")];
    expect(checkAgents(agents, ["node-a", "node-b", "node-c"], events, involvement)).toEqual([
      {
        code: "KUBE_PROXY_UNHEALTHY",
        severity: "critical",
        subject: { kind: "Pod", namespace: "kube-system", name: "kube-proxy-a" },
        message:
          "kube-proxy on node node-a (hosts web-node-a) is not Ready: container app is in CrashLoopBackOff after 7 restarts; last exit 2 (Error): bind: address in use; Service traffic from and through this node is not forwarded",
        evidence: {
          agent: "kube-proxy",
          node: "node-a",
          pods: ["kube-proxy-a"],
          reason:
            "container app is in CrashLoopBackOff after 7 restarts; last exit 2 (Error): bind: address in use",
        },
        next: "kubectl logs -n kube-system kube-proxy-a --previous",
      },
      {
        code: "CNI_UNHEALTHY",
        severity: "critical",
        subject: { kind: "Pod", namespace: "kube-system", name: "calico-b" },
        message:
          "calico-node on node node-b (hosts web-node-b) is not Ready: terminating since 2026-01-01T00:00:00Z; pods on this node cannot get or keep their network",
        evidence: {
          agent: "calico-node",
          node: "node-b",
          pods: ["calico-b"],
          reason: "terminating since 2026-01-01T00:00:00Z",
        },
        next: "kubectl logs -n kube-system calico-b --previous",
      },
      {
        code: "KUBE_PROXY_UNHEALTHY",
        severity: "critical",
        subject: { kind: "Node", name: "node-c" },
        message:
          "no kube-proxy pod runs on node node-c (hosts web-node-c), though it runs on other nodes; Service traffic from and through this node is not forwarded",
        evidence: { agent: "kube-proxy", node: "node-c", pods: [], reason: "no pod on the node" },
        next: "kubectl get daemonsets -A -o wide   # does the kube-proxy DaemonSet tolerate the node's taints?",
      },
      {
        code: "CNI_UNHEALTHY",
        severity: "critical",
        subject: { kind: "Node", name: "node-c" },
        message:
          "no calico-node pod runs on node node-c (hosts web-node-c), though it runs on other nodes; pods on this node cannot get or keep their network",
        evidence: { agent: "calico-node", node: "node-c", pods: [], reason: "no pod on the node" },
        next: "kubectl get daemonsets -A -o wide   # does the calico-node DaemonSet tolerate the node's taints?",
      },
    ]);
  });

  it("one healthy pod of an agent on the node is enough", () => {
    const agents = [
      agent("kube-proxy-old", "kube-proxy", "node-a", { ready: false }),
      agent("kube-proxy-new", "kube-proxy", "node-a"),
    ];
    expect(checkAgents(agents, ["node-a"], [], involvement)).toEqual([]);
  });
});
