import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import type { CollectedPod } from "../collect/pod.js";
import { isPodReady } from "../model.js";
import { selects, simulate, workloadOfPod } from "../policy/simulate.js";
import { checkAgents, checkNodes } from "./agents.js";
import { checkDns } from "./dns.js";
import { notReadyReason } from "./pod-status.js";

/** netcheck pod: readiness and sandbox, node and its agents, the policies around the pod, DNS. */
export function checkPod(c: CollectedPod): Finding[] {
  const { pod } = c;
  const subject = { kind: "Pod", namespace: pod.metadata.namespace as string, name: pod.metadata.name };
  const findings: Finding[] = [];
  if (!isPodReady(pod)) {
    const nodeName = pod.spec.nodeName;
    const node = nodeName === undefined ? undefined : (c.nodes.get(nodeName) ?? null);
    const reason = notReadyReason(pod, c.events, node);
    findings.push(
      finding("PODS_NOT_READY", {
        case: "pod-not-ready",
        subject,
        message: `the pod is not Ready: ${reason.detail}`,
        evidence: {
          cause: reason.cause,
          podIP: pod.status?.podIP ?? null,
          events: c.events.slice(0, 5).map((e) => `${e.reason}: ${e.message}`),
        },
        next: `kubectl describe pod ${pod.metadata.name} -n ${pod.metadata.namespace}`,
      }),
    );
  }
  findings.push(...checkNodes(c.nodes, "it runs the pod"));
  if (pod.spec.nodeName && !pod.spec.hostNetwork)
    findings.push(...checkAgents(c.agents, [pod.spec.nodeName], [], () => "it runs the pod"));

  const self = workloadOfPod(pod);
  const ingress = c.policies.filter((p) => selects(p, self, "Ingress")).map((p) => p.metadata.name);
  const egress = c.policies.filter((p) => selects(p, self, "Egress")).map((p) => p.metadata.name);
  if (ingress.length + egress.length > 0)
    findings.push(
      finding("NETPOL_SELECTS", {
        subject,
        message: `NetworkPolicies isolate the pod: ingress by ${ingress.join(", ") || "none"}; egress by ${egress.join(", ") || "none"}`,
        evidence: { ingress, egress },
        next: `kubectl netcheck policy -n ${pod.metadata.namespace} --from ${pod.metadata.name} --to POD:PORT`,
      }),
    );

  const clusterFirst = (pod.spec.dnsPolicy ?? "ClusterFirst") === "ClusterFirst" && !pod.spec.hostNetwork;
  if (clusterFirst || pod.spec.dnsPolicy === "ClusterFirstWithHostNet") {
    findings.push(...checkDns(c.dns));
    const dnsPod = c.dns.pods[0];
    if (egress.length > 0 && dnsPod) {
      const to = workloadOfPod(dnsPod);
      const verdict = simulate(
        { from: self, to, port: 53, protocol: "UDP" },
        { policies: c.policies, namespaceLabels: c.namespaceLabels },
      );
      if (!verdict.egress.allowed)
        findings.push(
          finding("NETPOL_BLOCKS", {
            case: "dns-egress",
            subject,
            message: `egress to cluster DNS (UDP/53) is ${verdict.reason}`,
            evidence: { isolatedBy: verdict.egress.isolatedBy },
            next: "allow egress to kube-system pods labelled k8s-app=kube-dns on UDP and TCP 53",
          }),
        );
    }
  }
  return findings;
}
