import { checkAccess } from "@kubemend/lib/kube/access";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { KubeApiError } from "@kubemend/lib/kube/errors";
import { resolveTargetPort } from "../checks/policy.js";
import { portsInScope } from "../checks/ports.js";
import { isPodReady, type Pod, type Service } from "../model.js";
import type { PodProbeKind } from "./pod-script.js";
import { interpretProxyAnswer, type ProbeResult } from "./signature.js";

/** Pods probed one by one: enough to find the bad ones of a normal Deployment. */
export const PROBE_PODS = 10;

export interface Probe {
  /** "service shop/web:http" or "pod shop/web-1:8080". */
  target: string;
  via: "services/proxy" | "pods/proxy" | "probe-pod";
  /** For the probe pod: what the probe tests. */
  kind?: PodProbeKind;
  result: ProbeResult;
}

export interface ProbeRun {
  method: "proxy" | "pod";
  /** What SelfSubjectAccessReview said no to. */
  denied: string[];
  probes: Probe[];
  /** The probe pod, with the method "pod". */
  pod?: {
    name: string;
    namespace: string;
    image: string;
    deadlineSeconds: number;
    /** Its script ran to the end. */
    completed: boolean;
    phase?: string;
    reason?: string;
    node?: string;
  };
}

/**
 * Probes through the API server's proxy, the least invasive way in: nothing is created in the
 * cluster. The API server dials the endpoint itself, so this tests the pods and the pod network
 * from the control plane, not kube-proxy's ClusterIP rules.
 */
export async function probeService(
  client: KubeClient,
  service: Service,
  pods: readonly Pod[],
  port?: string,
): Promise<ProbeRun> {
  const namespace = service.metadata.namespace as string;
  const access = await checkAccess(client, [
    { verb: "get", group: "", resource: "services", subresource: "proxy", namespace },
    { verb: "get", group: "", resource: "pods", subresource: "proxy", namespace },
  ]);
  const denied = access.filter((a) => !a.allowed).map((a) => `${a.resource}/proxy`);
  const probes: Probe[] = [];
  for (const sp of portsInScope(service.spec.ports ?? [], port)) {
    if ((sp.protocol ?? "TCP") !== "TCP") continue;
    const portRef = sp.name || String(sp.port);
    if (!denied.includes("services/proxy"))
      probes.push({
        target: `service ${namespace}/${service.metadata.name}:${portRef}`,
        via: "services/proxy",
        result: await proxyGet(
          client,
          `/api/v1/namespaces/${namespace}/services/${service.metadata.name}:${portRef}/proxy/`,
        ),
      });
    if (denied.includes("pods/proxy")) continue;
    for (const pod of pods.filter(isPodReady).slice(0, PROBE_PODS)) {
      const target = resolveTargetPort(sp, pod);
      if (target === undefined) continue;
      probes.push({
        target: `pod ${namespace}/${pod.metadata.name}:${target}`,
        via: "pods/proxy",
        result: await proxyGet(
          client,
          `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}:${target}/proxy/`,
        ),
      });
    }
  }
  return { method: "proxy", denied, probes };
}

async function proxyGet(client: KubeClient, path: string): Promise<ProbeResult> {
  try {
    await client.rawText(path);
    return { outcome: "ok", status: 200 };
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.status === undefined) throw err;
    // A Status (it has a reason) comes from the API server; a bare body is the backend's answer.
    const body =
      err.reason !== undefined ? JSON.stringify({ kind: "Status", message: err.message }) : err.message;
    return interpretProxyAnswer(err.status, body);
  }
}
