import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import type { Probe, ProbeRun } from "../probe/probe.js";
import { describeProbe, reached } from "../probe/signature.js";

/**
 * PROBE_FAILED for each target that could not be reached; PROBE_SKIPPED when RBAC says no;
 * PROBE_INCOMPLETE when the probe pod did not finish within its deadline.
 */
export function checkProbes(
  run: ProbeRun,
  subject: { kind: string; namespace: string; name: string },
): Finding[] {
  const out: Finding[] = [];
  if (run.denied.length > 0)
    out.push(
      finding("PROBE_SKIPPED", {
        subject,
        message:
          run.method === "pod"
            ? `no probe pod: RBAC does not allow ${run.denied.join(", ")}`
            : `not probed through ${run.denied.join(" and ")}: RBAC does not allow it`,
        evidence: { method: run.method, denied: run.denied },
        next:
          run.method === "pod"
            ? `kubectl auth can-i create pods -n ${subject.namespace}`
            : `kubectl auth can-i get ${run.denied[0]} -n ${subject.namespace}`,
      }),
    );
  const pod = run.pod;
  if (pod && !pod.completed) {
    const state = [pod.phase, pod.reason].filter((s, i, all) => s && all.indexOf(s) === i).join(": ");
    out.push(
      finding("PROBE_INCOMPLETE", {
        subject,
        message: `the probe pod ${pod.namespace}/${pod.name} did not complete within its ${pod.deadlineSeconds}s deadline${state ? ` (${state})` : ""}; it was deleted`,
        evidence: {
          pod: pod.name,
          image: pod.image,
          activeDeadlineSeconds: pod.deadlineSeconds,
          phase: pod.phase,
          reason: pod.reason,
          node: pod.node,
        },
        next: `check that a pod can be scheduled in ${pod.namespace} and can pull ${pod.image} (--probe-image for a mirror, --probe-deadline for longer)`,
      }),
    );
  }
  for (const probe of run.probes) {
    if (reached(probe.result)) continue;
    // The API server's own path to pod IPs, not the clients', may be what is missing.
    const noRoute =
      probe.via !== "probe-pod" &&
      (probe.result.outcome === "timeout" || probe.result.outcome === "unreachable");
    out.push(
      finding("PROBE_FAILED", {
        case:
          probe.via === "probe-pod"
            ? "probe-pod"
            : noRoute
              ? "api-server-proxy-no-route"
              : "api-server-proxy",
        subject,
        message:
          probe.via === "probe-pod"
            ? `the probe pod could not reach ${probe.target}: ${describeProbe(probe.result)}`
            : `the API server could not reach ${probe.target} through ${probe.via}: ${describeProbe(probe.result)}${noRoute ? "; this may only mean that the API server has no route to pod IPs (--probe-pod tests from inside the cluster)" : ""}`,
        evidence: { target: probe.target, via: probe.via, result: probe.result, node: pod?.node },
        next: nextStep(probe),
      }),
    );
  }
  return out;
}

function nextStep(probe: Probe): string {
  switch (probe.kind) {
    case "dns":
      return "cluster DNS does not answer for the Service: kubectl netcheck dns";
    case "service":
      return probe.result.outcome === "nxdomain"
        ? "the Service name does not resolve from a pod: kubectl netcheck dns"
        : "the ClusterIP path failed by name: compare with the ClusterIP probe, then kube-proxy on the probe pod's node";
    case "cluster-ip":
      return "the ClusterIP is not forwarded: kube-proxy's rules on the probe pod's node (kubectl -n kube-system logs -l k8s-app=kube-proxy)";
    case "pod":
      return "pod-to-pod traffic failed: the CNI on both nodes, a NetworkPolicy, or the container not listening on the port";
    default:
      return "the API server dials the pod IP directly: check the pod, the node's CNI and routes from the control plane";
  }
}
