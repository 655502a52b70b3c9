import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import type { AgentPod, AgentRole } from "../collect/agents.js";
import { conditionOf, type Event, isNodeReady, isPodReady, type Node } from "../model.js";
import { notReadyReason } from "./pod-status.js";

const nodeSubject = (name: string) => ({ kind: "Node", name });

/** NODE_NOT_READY for each node involved; NetworkUnavailable is the CNI's, so it is CNI_UNHEALTHY. */
export function checkNodes(nodes: ReadonlyMap<string, Node | undefined>, involvement: string): Finding[] {
  const out: Finding[] = [];
  for (const [name, node] of nodes) {
    if (!node) {
      out.push(
        finding("NODE_NOT_READY", {
          subject: nodeSubject(name),
          message: `node ${name} (${involvement}) does not exist`,
          next: "kubectl get nodes",
        }),
      );
      continue;
    }
    const ready = conditionOf(node, "Ready");
    if (!isNodeReady(node))
      out.push(
        finding("NODE_NOT_READY", {
          subject: nodeSubject(name),
          message: `node ${name} (${involvement}) is NotReady: ${ready?.reason ?? "no status"}${ready?.message ? `: ${ready.message}` : ""}`,
          evidence: { ready: ready ?? null },
          next: `kubectl describe node ${name}   # then check the kubelet on the node: journalctl -u kubelet`,
        }),
      );
    const network = conditionOf(node, "NetworkUnavailable");
    if (network?.status === "True")
      out.push(
        finding("CNI_UNHEALTHY", {
          subject: nodeSubject(name),
          message:
            `node ${name} (${involvement}) reports NetworkUnavailable: ${network.reason ?? ""} ${network.message ?? ""}`.trim(),
          evidence: { networkUnavailable: network },
          next: `kubectl describe node ${name}`,
        }),
      );
  }
  return out;
}

/**
 * KUBE_PROXY_UNHEALTHY / CNI_UNHEALTHY: for each node involved, every agent that runs somewhere in
 * the cluster must run there and be Ready. An agent that runs nowhere (no kube-proxy with Cilium's
 * replacement, an unknown CNI) is not an alarm.
 */
export function checkAgents(
  agents: readonly AgentPod[],
  nodes: Iterable<string>,
  events: readonly Event[],
  involvement: (node: string) => string,
): Finding[] {
  const out: Finding[] = [];
  const deployed = new Map<string, AgentRole>(agents.map((a) => [a.agent, a.role]));
  for (const node of nodes) {
    for (const [agent, role] of deployed) {
      const code = role === "kube-proxy" ? "KUBE_PROXY_UNHEALTHY" : "CNI_UNHEALTHY";
      const effect =
        role === "kube-proxy"
          ? "Service traffic from and through this node is not forwarded"
          : "pods on this node cannot get or keep their network";
      const here = agents.filter((a) => a.agent === agent && a.pod.spec.nodeName === node);
      const healthy = here.filter((a) => isPodReady(a.pod) && !a.pod.metadata.deletionTimestamp);
      if (healthy.length > 0) continue;
      const pod = here[0]?.pod;
      const reason = pod ? notReadyReason(pod, events).detail : undefined;
      out.push(
        finding(code, {
          subject: pod
            ? { kind: "Pod", namespace: pod.metadata.namespace as string, name: pod.metadata.name }
            : nodeSubject(node),
          message: pod
            ? `${agent} on node ${node} (${involvement(node)}) is not Ready: ${reason}; ${effect}`
            : `no ${agent} pod runs on node ${node} (${involvement(node)}), though it runs on other nodes; ${effect}`,
          evidence: {
            agent,
            node,
            pods: here.map((a) => a.pod.metadata.name),
            reason: reason ?? "no pod on the node",
          },
          next: pod
            ? `kubectl logs -n ${pod.metadata.namespace} ${pod.metadata.name} --previous`
            : `kubectl get daemonsets -A -o wide   # does the ${agent} DaemonSet tolerate the node's taints?`,
        }),
      );
    }
  }
  return out;
}

/**
 * AGENT_NOT_SEEN: kube-proxy (or the CNI) runs as no pod anywhere. On a binary install it is a
 * host service the API does not show; with Cilium or kube-router it is replaced. Either way it is
 * not broken as far as anyone can tell from here: say what was not seen and how to look on a node.
 */
const UNSEEN: Record<AgentRole, { subject: Finding["subject"]; message: string; next: string }> = {
  "kube-proxy": {
    subject: { kind: "DaemonSet", namespace: "kube-system", name: "kube-proxy" },
    message:
      "no kube-proxy pod runs in the cluster: it runs as a host service (a binary install's systemd unit) or the CNI replaces it, and its health cannot be seen from the API",
    next: "on each node: systemctl status kube-proxy; curl -s http://127.0.0.1:10256/healthz; iptables-save | grep -c KUBE-SVC (nftables mode: nft list table ip kube-proxy; ipvs: ipvsadm -Ln)",
  },
  cni: {
    subject: { kind: "Namespace", name: "kube-system" },
    message:
      "no known CNI pod runs in the cluster: the CNI runs as a host service (flanneld, calico under systemd) or is one kubemend does not know, and its health cannot be seen from the API",
    next: "on each node: ls /etc/cni/net.d; systemctl status flanneld (or the CNI's unit); ip route | grep -v default",
  },
};

export function unseenAgents(agents: readonly AgentPod[], roles: readonly AgentRole[]): Finding[] {
  const seen = new Set(agents.map((a) => a.role));
  return roles
    .filter((role) => !seen.has(role))
    .map((role) => {
      const { subject, message, next } = UNSEEN[role];
      return finding("AGENT_NOT_SEEN", { case: role, subject, message, evidence: { role }, next });
    });
}
