import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import type { CollectedService } from "../collect/service.js";
import type { Pod, Protocol, ServicePort } from "../model.js";
import { ingressOpenings, workloadOfPod } from "../policy/simulate.js";
import { portsInScope } from "./ports.js";
import { serviceSubject } from "./service.js";

/** The container port a Service port reaches on a pod; undefined when a named port is not declared. */
export function resolveTargetPort(sp: ServicePort, pod: Pod): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? "TCP";
  return pod.spec.containers
    .flatMap((c) => c.ports ?? [])
    .find((p) => p.name === target && (p.protocol ?? "TCP") === protocol)?.containerPort;
}

/**
 * NETPOL_BLOCKS: policies isolate the selected pods for ingress and no rule admits the target port
 * from any source at all. Policies that admit some sources are not flagged: who the client is
 * decides that, and `kubectl netcheck policy --from` answers it.
 */
export function checkPolicies(c: CollectedService, port?: string): Finding[] {
  if (c.policies.length === 0) return [];
  const out: Finding[] = [];
  for (const sp of portsInScope(c.service?.spec.ports ?? [], port)) {
    const protocol: Protocol = sp.protocol ?? "TCP";
    const blocked: { pod: string; port: number; isolatedBy: string[] }[] = [];
    for (const pod of c.pods) {
      const target = resolveTargetPort(sp, pod);
      if (target === undefined) continue;
      const openings = ingressOpenings(workloadOfPod(pod), target, protocol, c.policies);
      if (openings.isolatedBy.length > 0 && openings.rules.length === 0)
        blocked.push({ pod: pod.metadata.name, port: target, isolatedBy: openings.isolatedBy });
    }
    if (blocked.length === 0) continue;
    const policies = [...new Set(blocked.flatMap((b) => b.isolatedBy))];
    out.push(
      finding("NETPOL_BLOCKS", {
        case: blocked.length === c.pods.length ? "all-pods" : "some-pods",
        subject: serviceSubject(c),
        message: `ingress to ${protocol}/${blocked[0]?.port} of ${blocked.length} of ${c.pods.length} selected pods is denied by ${policies.join(", ")}: no rule admits any source on that port`,
        evidence: { servicePort: sp.port, protocol, pods: blocked },
        next: `add an ingress rule for port ${blocked[0]?.port}, e.g. kubectl netcheck policy -n ${c.namespace} --from POD --to ${blocked[0]?.pod}:${blocked[0]?.port} to test it`,
      }),
    );
  }
  return out;
}
