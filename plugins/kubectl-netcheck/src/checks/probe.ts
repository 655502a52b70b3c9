import type { Finding } from "@kubemend/lib/findings/finding";
import type { ProbeRun } from "../probe/probe.js";
import { describeProbe, reached } from "../probe/signature.js";

/** PROBE_FAILED for each target the API server could not reach; PROBE_SKIPPED when RBAC says no. */
export function checkProbes(
  run: ProbeRun,
  subject: { kind: string; namespace: string; name: string },
): Finding[] {
  const out: Finding[] = [];
  if (run.denied.length > 0)
    out.push({
      code: "PROBE_SKIPPED",
      severity: "info",
      subject,
      message: `not probed through ${run.denied.join(" and ")}: RBAC does not allow it`,
      next: `kubectl auth can-i get ${run.denied[0]} -n ${subject.namespace}`,
    });
  for (const probe of run.probes) {
    if (reached(probe.result)) continue;
    out.push({
      code: "PROBE_FAILED",
      severity: "critical",
      subject,
      message: `the API server could not reach ${probe.target} through ${probe.via}: ${describeProbe(probe.result)}`,
      evidence: { target: probe.target, via: probe.via, result: probe.result },
      next: "the API server dials the pod IP directly: check the pod, the node's CNI and routes from the control plane",
    });
  }
  return out;
}
