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
