import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import type { CollectedService } from "../collect/service.js";
import type { Pod, ServicePort } from "../model.js";
import { serviceSubject } from "./service.js";

/** The Service ports to look at: all, or the one --port names (by number or name). */
export function portsInScope(ports: readonly ServicePort[], port?: string): ServicePort[] {
  if (port === undefined) return [...ports];
  return ports.filter((p) => String(p.port) === port || p.name === port);
}

/**
 * TARGETPORT_MISSING: a named targetPort must be declared by name, with the Service port's
 * protocol, on every selected pod; a numeric targetPort need not be declared at all.
 */
export function checkTargetPorts(c: CollectedService, port?: string): Finding[] {
  const out: Finding[] = [];
  for (const sp of portsInScope(c.service?.spec.ports ?? [], port)) {
    if (typeof sp.targetPort !== "string" || /^\d+$/.test(sp.targetPort)) continue;
    const name = sp.targetPort;
    const protocol = sp.protocol ?? "TCP";
    const missing = c.pods
      .map((pod) => ({ pod, problem: namedPortProblem(pod, name, protocol) }))
      .filter((m): m is { pod: Pod; problem: string } => m.problem !== undefined);
    if (missing.length === 0) continue;
    const all = missing.length === c.pods.length;
    const label = sp.name ? `port ${sp.name} (${sp.port})` : `port ${sp.port}`;
    out.push(
      finding("TARGETPORT_MISSING", {
        case: all ? "no-pod-has-it" : "some-pods-lack-it",
        subject: serviceSubject(c),
        message: `${label} targets the named port "${name}"/${protocol}, which ${missing.length} of ${c.pods.length} selected pods do not declare${all ? "" : `: ${missing.map((m) => m.pod.metadata.name).join(", ")}`}`,
        evidence: {
          servicePort: sp.port,
          targetPort: name,
          protocol,
          pods: missing.map((m) => ({ pod: m.pod.metadata.name, problem: m.problem })),
        },
        next: `add a containerPort named "${name}" (${protocol}) to the pod template, or set targetPort to the port number`,
      }),
    );
  }
  return out;
}

function namedPortProblem(pod: Pod, name: string, protocol: string): string | undefined {
  const declared = pod.spec.containers.flatMap((c) =>
    (c.ports ?? []).map((p) => ({ container: c.name, ...p })),
  );
  const byName = declared.filter((p) => p.name === name);
  if (byName.some((p) => (p.protocol ?? "TCP") === protocol)) return undefined;
  if (byName.length > 0)
    return `declares "${name}" as ${byName.map((p) => p.protocol ?? "TCP").join("/")}, not ${protocol}`;
  const names = declared.map((p) => `${p.name ?? "(unnamed)"}:${p.containerPort}/${p.protocol ?? "TCP"}`);
  return names.length > 0 ? `declares only ${names.join(", ")}` : "declares no container ports";
}
