import { randomBytes } from "node:crypto";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { isConflict, isNotFound } from "@kubemend/lib/kube/errors";
import type { InformerEventType as WatchEventType } from "@kubemend/lib/kube/informer";
import { metaTime } from "@kubemend/lib/kube/time";
import { deleteNow, pods } from "./api.js";
import { recordPodEvent } from "./events.js";
import type { PodIpPool } from "./pod-ips.js";
import type { PodPorts } from "./pod-ports.js";
import {
  type Container,
  type ContainerStatus,
  containerId,
  imageId,
  isMirrorPod,
  normalizeImage,
  type Pod,
  type PodCondition,
  type PodStatus,
  type Probe,
} from "./pods.js";

const KINDS = ["running", "not-ready", "crashloop", "sandbox-failure"] as const;
export type PodBehaviourKind = (typeof KINDS)[number];

/**
 * How a stand-in plays a pod. `message` replaces the detail of the failure it reports:
 * - not-ready: Running, containers up but not Ready; event Unhealthy "Readiness probe failed: <message>";
 * - crashloop: container waiting in CrashLoopBackOff, restartCount > 0; event BackOff; `message` is
 *   the last termination's message;
 * - sandbox-failure: Pending, no pod IP; event FailedCreatePodSandBox whose CNI error is `message`.
 */
export type PodBehaviour = PodBehaviourKind | { kind: PodBehaviourKind; message?: string };

/** Lets a manifest choose its pod's behaviour; the node spec's podBehaviour function takes precedence. */
export const BEHAVIOUR_ANNOTATION = "standin.kubemend.dev/behaviour";

const CALICO_UNAUTHORIZED =
  'plugin type="calico" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized';
const CRASHLOOP_RESTARTS = 5;

interface Tracked {
  uid: string;
  startedAt: string;
  sandboxId: string;
  containerIds: Map<string, string>;
  transitions: Map<string, { status: string; at: string }>;
  ip?: string;
  sent?: string;
  recorded: Set<string>;
  deleting?: boolean;
}

export interface PodStatusOptions {
  behaviour?: (pod: Pod) => PodBehaviour | undefined;
  onError: (err: unknown) => void;
}

/**
 * The kubelet's status manager for ordinary pods bound to the node: it gives each pod an address
 * from the cluster's pod network, reports the status its behaviour calls for (only when that
 * changes), records the matching events, opens its container ports, and finishes deletions.
 */
export class PodStatusReporter {
  private readonly tracked = new Map<string, Tracked>();
  private readonly queues = new Map<string, { latest: Pod; deleted: boolean }>();
  private stopped = false;

  constructor(
    private readonly client: KubeClient,
    private readonly node: { name: string; ip: string },
    private readonly ips: PodIpPool,
    private readonly ports: PodPorts,
    private readonly options: PodStatusOptions,
  ) {}

  handle(type: WatchEventType, pod: Pod): void {
    if (this.stopped || isMirrorPod(pod)) return;
    const uid = pod.metadata.uid as string;
    const queued = this.queues.get(uid);
    if (queued) {
      queued.latest = pod;
      queued.deleted ||= type === "DELETED";
      return;
    }
    const entry = { latest: pod, deleted: type === "DELETED" };
    this.queues.set(uid, entry);
    void this.drain(uid, entry);
  }

  /** Re-evaluates every pod, e.g. after a behaviour function changed its answer. */
  resync(current: Pod[]): void {
    for (const pod of current) {
      const tracked = this.tracked.get(pod.metadata.uid as string);
      if (tracked) tracked.sent = undefined;
      this.handle("MODIFIED", pod);
    }
  }

  stop(): void {
    this.stopped = true;
    this.ports.closeAll();
    for (const uid of this.tracked.keys()) this.ips.release(uid);
  }

  /** One pod's events are handled in order, the newest state winning over ones not yet handled. */
  private async drain(uid: string, entry: { latest: Pod; deleted: boolean }): Promise<void> {
    try {
      let handled: Pod | undefined;
      while (!this.stopped && handled !== entry.latest) {
        handled = entry.latest;
        try {
          if (entry.deleted) this.forget(uid);
          else await this.sync(handled);
        } catch (err) {
          if (!isNotFound(err)) this.options.onError(err);
        }
      }
    } finally {
      this.queues.delete(uid);
    }
  }

  private forget(uid: string): void {
    this.tracked.delete(uid);
    this.ports.close(uid);
    this.ips.release(uid);
  }

  private async sync(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid as string;
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp) return this.finishDeletion(pod);
    if (phase === "Succeeded" || phase === "Failed") return;

    let tracked = this.tracked.get(uid);
    if (!tracked) {
      tracked = {
        uid,
        startedAt: pod.status?.startTime ?? metaTime(),
        sandboxId: randomBytes(32).toString("hex"),
        containerIds: new Map(),
        transitions: new Map(),
        recorded: new Set(),
      };
      this.tracked.set(uid, tracked);
    }
    const behaviour = this.behaviourOf(pod);
    const hasSandbox = behaviour.kind !== "sandbox-failure";
    if (hasSandbox && !tracked.ip)
      tracked.ip = pod.spec.hostNetwork ? this.node.ip : this.ips.claim(uid, pod.status?.podIP);

    // Containers listen before they report Ready, so whoever reacts to Ready finds the socket.
    const serving = behaviour.kind === "running" || behaviour.kind === "not-ready";
    if (serving && tracked.ip && !pod.spec.hostNetwork) {
      const ports = pod.spec.containers.flatMap((c) =>
        (c.ports ?? []).filter((p) => (p.protocol ?? "TCP") === "TCP").map((p) => p.containerPort),
      );
      if (ports.length > 0)
        await this.ports.open(uid, tracked.ip, ports, behaviour.kind === "running" ? 200 : 503);
    } else {
      this.ports.close(uid);
    }

    const status = this.statusFor(pod, tracked, behaviour);
    const body = JSON.stringify(status);
    if (body !== tracked.sent) {
      await this.client.patch(
        { ...pods(pod.metadata.namespace), name: pod.metadata.name, subresource: "status" },
        { status },
      );
      tracked.sent = body;
    }
    await this.recordEvents(pod, tracked, behaviour);
  }

  private async finishDeletion(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid as string;
    const tracked = this.tracked.get(uid);
    if (tracked?.deleting) return;
    if (tracked) tracked.deleting = true;
    this.ports.close(uid);
    try {
      await deleteNow(this.client, { ...pods(pod.metadata.namespace), name: pod.metadata.name }, uid);
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  private behaviourOf(pod: Pod): { kind: PodBehaviourKind; message?: string } {
    const chosen =
      this.options.behaviour?.(pod) ?? pod.metadata.annotations?.[BEHAVIOUR_ANNOTATION] ?? "running";
    const behaviour = typeof chosen === "string" ? { kind: chosen as PodBehaviourKind } : chosen;
    if (KINDS.includes(behaviour.kind)) return behaviour;
    this.options.onError(new Error(`pod ${pod.metadata.name}: unknown behaviour "${behaviour.kind}"`));
    return { kind: "running" };
  }

  private statusFor(
    pod: Pod,
    tracked: Tracked,
    behaviour: { kind: PodBehaviourKind; message?: string },
  ): PodStatus {
    const containers = pod.spec.containers;
    const ready = behaviour.kind === "running";
    const statuses = containers.map((c) => this.containerStatus(c, pod, tracked, behaviour));
    const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
    const notReady = `containers with unready status: [${unready.join(" ")}]`;
    const sandbox = behaviour.kind !== "sandbox-failure";
    const conditions: PodCondition[] = [
      this.condition(tracked, "PodReadyToStartContainers", sandbox),
      this.condition(tracked, "Initialized", true),
      this.condition(tracked, "Ready", ready, ready ? undefined : "ContainersNotReady", notReady),
      this.condition(tracked, "ContainersReady", ready, ready ? undefined : "ContainersNotReady", notReady),
    ];
    const ours = new Set(conditions.map((c) => c.type));
    const kept = (pod.status?.conditions ?? []).filter((c) => !ours.has(c.type));
    const hostIPs = [{ ip: this.node.ip }];
    return {
      phase: sandbox ? "Running" : "Pending",
      conditions: [...conditions, ...kept],
      hostIP: this.node.ip,
      hostIPs,
      podIP: sandbox ? (tracked.ip ?? null) : null,
      podIPs: sandbox && tracked.ip ? [{ ip: tracked.ip }] : null,
      startTime: tracked.startedAt,
      containerStatuses: statuses,
      ...(pod.spec.initContainers?.length && {
        initContainerStatuses: pod.spec.initContainers.map((c) => this.completedInit(c, tracked, sandbox)),
      }),
      ...(pod.metadata.generation !== undefined && { observedGeneration: pod.metadata.generation }),
    };
  }

  private containerStatus(
    container: Container,
    pod: Pod,
    tracked: Tracked,
    behaviour: { kind: PodBehaviourKind; message?: string },
  ): ContainerStatus {
    const base = {
      name: container.name,
      image: normalizeImage(container.image),
      imageID: imageId(container.image),
    };
    const id = this.containerIdOf(tracked, container.name);
    switch (behaviour.kind) {
      case "sandbox-failure":
        return {
          ...base,
          imageID: "",
          ready: false,
          started: false,
          restartCount: 0,
          state: { waiting: { reason: "ContainerCreating" } },
          lastState: {},
        };
      case "crashloop":
        return {
          ...base,
          containerID: id,
          ready: false,
          started: false,
          restartCount: CRASHLOOP_RESTARTS,
          state: {
            waiting: {
              reason: "CrashLoopBackOff",
              message: `back-off 2m40s restarting failed container=${container.name} pod=${podRef(pod)}`,
            },
          },
          lastState: {
            terminated: {
              exitCode: 1,
              reason: "Error",
              ...(behaviour.message && { message: behaviour.message }),
              startedAt: tracked.startedAt,
              finishedAt: tracked.startedAt,
              containerID: id,
            },
          },
        };
      default:
        return {
          ...base,
          containerID: id,
          ready: behaviour.kind === "running",
          started: true,
          restartCount: 0,
          state: { running: { startedAt: tracked.startedAt } },
          lastState: {},
        };
    }
  }

  private completedInit(container: Container, tracked: Tracked, sandbox: boolean): ContainerStatus {
    const base = {
      name: container.name,
      image: normalizeImage(container.image),
      imageID: imageId(container.image),
    };
    if (!sandbox)
      return {
        ...base,
        imageID: "",
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting: { reason: "PodInitializing" } },
        lastState: {},
      };
    const id = this.containerIdOf(tracked, container.name);
    return {
      ...base,
      containerID: id,
      ready: true,
      started: false,
      restartCount: 0,
      state: {
        terminated: {
          exitCode: 0,
          reason: "Completed",
          startedAt: tracked.startedAt,
          finishedAt: tracked.startedAt,
          containerID: id,
        },
      },
      lastState: {},
    };
  }

  private containerIdOf(tracked: Tracked, name: string): string {
    let id = tracked.containerIds.get(name);
    if (!id) {
      id = containerId();
      tracked.containerIds.set(name, id);
    }
    return id;
  }

  /** lastTransitionTime moves only when the condition's status does. */
  private condition(
    tracked: Tracked,
    type: string,
    ok: boolean,
    reason?: string,
    message?: string,
  ): PodCondition {
    const status = ok ? "True" : "False";
    let transition = tracked.transitions.get(type);
    if (!transition || transition.status !== status) {
      transition = { status, at: metaTime() };
      tracked.transitions.set(type, transition);
    }
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: transition.at,
      ...(reason && { reason }),
      ...(message && { message }),
    };
  }

  private async recordEvents(
    pod: Pod,
    tracked: Tracked,
    behaviour: { kind: PodBehaviourKind; message?: string },
  ): Promise<void> {
    const first = pod.spec.containers[0]?.name;
    const event = (() => {
      switch (behaviour.kind) {
        case "not-ready":
          return {
            reason: "Unhealthy",
            container: first,
            message: `Readiness probe failed: ${behaviour.message ?? probeFailure(pod.spec.containers[0]?.readinessProbe, tracked.ip)}`,
          };
        case "crashloop":
          return {
            reason: "BackOff",
            container: first,
            message: `Back-off restarting failed container ${first} in pod ${podRef(pod)}`,
          };
        case "sandbox-failure":
          return {
            reason: "FailedCreatePodSandBox",
            message:
              "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox " +
              `"${tracked.sandboxId}": ${behaviour.message ?? CALICO_UNAUTHORIZED}`,
          };
        default:
          return undefined;
      }
    })();
    if (!event || tracked.recorded.has(event.reason)) return;
    await recordPodEvent(this.client, this.node.name, pod, { type: "Warning", ...event });
    tracked.recorded.add(event.reason);
  }
}

function podRef(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

/** The prober's wording for a failed readiness check of this kind. */
function probeFailure(probe: Probe | undefined, ip: string | undefined): string {
  if (probe?.tcpSocket) return `dial tcp ${ip}:${probe.tcpSocket.port}: connect: connection refused`;
  if (probe?.exec) return "command failed with exit code 1";
  if (probe?.grpc) return `timeout: failed to connect service "${ip}:${probe.grpc.port}" within 1s`;
  return "HTTP probe failed with statuscode: 503";
}
