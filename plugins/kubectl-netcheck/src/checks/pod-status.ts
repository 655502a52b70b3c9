import { conditionOf, type Event, isNodeReady, isPodReady, type Node, type Pod } from "../model.js";

/** Why a pod is not Ready, in a kubectl user's words, and a short machine-readable cause. */
export interface NotReadyReason {
  cause:
    | "Terminating"
    | "Unschedulable"
    | "NodeNotReady"
    | "SandboxFailed"
    | "CrashLoopBackOff"
    | "ImagePullBackOff"
    | "ReadinessProbeFailed"
    | "Pending"
    | "NotReady";
  detail: string;
}

const IMAGE_PULL = new Set(["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"]);

/**
 * The first reason that explains the pod, most fundamental first: a node that is down hides every
 * container state, a sandbox that never started hides the containers', and so on. `events` are the
 * pod's own, newest first.
 */
export function notReadyReason(pod: Pod, events: readonly Event[], node?: Node | null): NotReadyReason {
  const own = events.filter((e) => e.involvedObject.name === pod.metadata.name);
  const latest = (reason: string) => own.find((e) => e.reason === reason);
  if (pod.metadata.deletionTimestamp)
    return { cause: "Terminating", detail: `terminating since ${pod.metadata.deletionTimestamp}` };
  const scheduled = conditionOf(pod, "PodScheduled");
  if (!pod.spec.nodeName || scheduled?.status === "False") {
    const message = scheduled?.message ?? latest("FailedScheduling")?.message ?? "not scheduled yet";
    return { cause: "Unschedulable", detail: `unschedulable: ${message}` };
  }
  if (node === null) return { cause: "NodeNotReady", detail: `its node ${pod.spec.nodeName} does not exist` };
  if (node && !isNodeReady(node)) {
    const ready = conditionOf(node, "Ready");
    return {
      cause: "NodeNotReady",
      detail: `its node ${pod.spec.nodeName} is NotReady (${ready?.reason ?? "no status"}${ready?.message ? `: ${ready.message}` : ""})`,
    };
  }
  const sandbox = latest("FailedCreatePodSandBox");
  if (sandbox && conditionOf(pod, "PodReadyToStartContainers")?.status !== "True")
    return { cause: "SandboxFailed", detail: `pod sandbox/CNI failure: ${sandbox.message ?? ""}`.trim() };
  for (const status of [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ]) {
    const waiting = status.state?.waiting;
    if (waiting?.reason === "CrashLoopBackOff") {
      const last = status.lastState?.terminated;
      const exit = last
        ? `; last exit ${last.exitCode ?? "?"} (${last.reason ?? "?"})${last.message ? `: ${last.message}` : ""}`
        : "";
      return {
        cause: "CrashLoopBackOff",
        detail: `container ${status.name} is in CrashLoopBackOff after ${status.restartCount ?? 0} restarts${exit}`,
      };
    }
    if (waiting?.reason && IMAGE_PULL.has(waiting.reason))
      return {
        cause: "ImagePullBackOff",
        detail: `container ${status.name}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}`,
      };
  }
  const probe = own.find((e) => e.reason === "Unhealthy" && /readiness probe/i.test(e.message ?? ""));
  if (probe) return { cause: "ReadinessProbeFailed", detail: probe.message ?? "readiness probe failed" };
  if (pod.status?.phase === "Pending")
    return { cause: "Pending", detail: `Pending${pod.status.reason ? `: ${pod.status.reason}` : ""}` };
  const notReady = (pod.status?.containerStatuses ?? []).filter((s) => !s.ready).map((s) => s.name);
  return {
    cause: "NotReady",
    detail: notReady.length > 0 ? `containers not ready: ${notReady.join(", ")}` : "not Ready",
  };
}

/** Each not-ready pod with its reason, for evidence. */
export function notReadyPods(
  pods: readonly Pod[],
  events: readonly Event[],
  nodes: ReadonlyMap<string, Node | undefined>,
): { pod: string; node?: string; cause: string; reason: string }[] {
  return pods
    .filter((pod) => !isPodReady(pod))
    .map((pod) => {
      const nodeName = pod.spec.nodeName;
      const node =
        nodeName === undefined ? undefined : nodes.has(nodeName) ? (nodes.get(nodeName) ?? null) : undefined;
      const reason = notReadyReason(pod, events, node);
      return { pod: pod.metadata.name, node: nodeName, cause: reason.cause, reason: reason.detail };
    });
}
