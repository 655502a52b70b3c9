import { randomBytes } from "node:crypto";
import { type Interrupt, Interrupted } from "@kubemend/lib/cli/signals";
import { checkAccess, describeCheck } from "@kubemend/lib/kube/access";
import { type KubeClient, resourcePath } from "@kubemend/lib/kube/client";
import { isNotFound } from "@kubemend/lib/kube/errors";
import { CORE, conditionOf, type Pod, type Service } from "../model.js";
import {
  interpretPodProbe,
  parseProbeLog,
  planPodProbes,
  probePodManifest,
  probeScript,
} from "./pod-script.js";
import type { Probe, ProbeRun } from "./probe.js";

export interface PodProbeOptions {
  image: string;
  deadlineSeconds: number;
  clusterDomain: string;
  port?: string;
  /** How often the pod's phase is read. */
  pollMs?: number;
  /** SIGINT/SIGTERM: the pod is deleted before netcheck exits. */
  interrupt: Interrupt;
}

/** Seconds past activeDeadlineSeconds netcheck still waits: the kubelet ends the pod, then reports it. */
export const DEADLINE_GRACE_SECONDS = 10;

/**
 * Runs the probes from a short-lived pod in the Service's namespace: it tests what the proxy
 * method cannot (cluster DNS, the ClusterIP through kube-proxy, pod-to-pod traffic). The pod is
 * deleted on every path, SIGINT and SIGTERM included; activeDeadlineSeconds bounds it if
 * netcheck itself is killed.
 */
export async function probeWithPod(
  client: KubeClient,
  service: Service,
  pods: readonly Pod[],
  options: PodProbeOptions,
): Promise<ProbeRun> {
  const namespace = service.metadata.namespace as string;
  const access = await checkAccess(client, [
    { verb: "create", group: "", resource: "pods", namespace },
    { verb: "get", group: "", resource: "pods", namespace },
    { verb: "delete", group: "", resource: "pods", namespace },
    { verb: "get", group: "", resource: "pods", subresource: "log", namespace },
  ]);
  const denied = access.filter((a) => !a.allowed).map(describeCheck);
  if (denied.length > 0) return { method: "pod", denied, probes: [] };

  const planned = planPodProbes(service, pods, options);
  const name = `netcheck-probe-${randomBytes(4).toString("hex")}`;
  const ref = CORE("pods", namespace, name);
  const manifest = probePodManifest({
    name,
    namespace,
    image: options.image,
    deadlineSeconds: options.deadlineSeconds,
    target: `service ${namespace}/${service.metadata.name}`,
    script: probeScript(planned),
  });
  const remove = () =>
    client
      .request({
        method: "DELETE",
        path: resourcePath(ref),
        query: { gracePeriodSeconds: "0" },
        verb: "delete",
        ref,
      })
      .catch((err) => {
        if (!isNotFound(err)) throw err;
      });
  const { interrupt } = options;
  const release = interrupt.windDown();
  const onAbort = () => {
    const reason = interrupt.signal.reason;
    void remove()
      .catch(() => {})
      .finally(() => process.exit(reason instanceof Interrupted ? reason.exitStatus : 130));
  };
  interrupt.signal.addEventListener("abort", onAbort, { once: true });
  try {
    await client.create(CORE("pods", namespace), manifest);
    const last = await waitForPod(client, ref, options);
    const started = (last?.status?.containerStatuses ?? []).some(
      (c) => c.state?.terminated || c.state?.running,
    );
    const log = started ? await readLog(client, namespace, name) : "";
    const { entries, done } = parseProbeLog(log);
    // A probe the deadline cut short timed out; one that never started says nothing.
    const probes: Probe[] = planned.flatMap((p) => {
      const entry = entries.find((e) => e.id === p.id);
      if (!entry) return [];
      return [
        {
          target: `${p.kind} ${p.target}`,
          via: "probe-pod",
          kind: p.kind,
          result: interpretPodProbe(p.kind, entry),
        },
      ];
    });
    return {
      method: "pod",
      denied: [],
      probes,
      pod: {
        name,
        namespace,
        image: options.image,
        deadlineSeconds: options.deadlineSeconds,
        completed: done,
        phase: last?.status?.phase,
        reason: stuckReason(last),
        node: last?.spec.nodeName,
      },
    };
  } finally {
    interrupt.signal.removeEventListener("abort", onAbort);
    release();
    await remove();
  }
}

async function waitForPod(
  client: KubeClient,
  ref: ReturnType<typeof CORE>,
  options: PodProbeOptions,
): Promise<Pod | undefined> {
  const until = Date.now() + (options.deadlineSeconds + DEADLINE_GRACE_SECONDS) * 1000;
  let last: Pod | undefined;
  for (;;) {
    last = await client.get<Pod>(ref).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    const phase = last?.status?.phase;
    if (!last || phase === "Succeeded" || phase === "Failed" || Date.now() >= until) return last;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

/** The log goes through the API server to the kubelet; a kubelet that does not answer must not hang netcheck. */
export const LOG_TIMEOUT_MS = 10_000;

async function readLog(client: KubeClient, namespace: string, name: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const text = await Promise.race([
      client.rawText(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log?container=probe`,
      ),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(""), LOG_TIMEOUT_MS);
      }),
    ]);
    return text;
  } catch {
    // A kubelet that cannot serve the log leaves the probes unanswered; the pod's state says why.
    return "";
  } finally {
    clearTimeout(timer);
  }
}

/** Why a probe pod did not finish: unschedulable, an image it cannot pull, the deadline, ... */
function stuckReason(pod: Pod | undefined): string | undefined {
  if (!pod) return "deleted by someone else";
  const status = pod.status;
  const scheduled = conditionOf(pod, "PodScheduled");
  if (scheduled?.status === "False")
    return `unschedulable: ${scheduled.message ?? scheduled.reason ?? ""}`.trim();
  const waiting = status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
  if (waiting?.reason) return waiting.message ? `${waiting.reason}: ${waiting.message}` : waiting.reason;
  return status?.reason ?? status?.phase;
}
