import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { isConflict, isNotFound } from "@kubemend/lib/kube/errors";
import type { InformerEventType as WatchEventType } from "@kubemend/lib/kube/informer";
import { metaTime } from "@kubemend/lib/kube/time";
import type { TestCluster } from "../cluster.js";
import { ENV_DIR } from "../paths.js";
import type { ManagedProcess } from "../process.js";
import { deleteNow, pods } from "./api.js";
import {
  type ContainerStatus,
  containerId,
  imageId,
  MIRROR_ANNOTATION,
  type Pod,
  type PodCondition,
} from "./pods.js";

export const CONTROL_PLANE_COMPONENTS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
] as const;
export type ControlPlaneComponent = (typeof CONTROL_PLANE_COMPONENTS)[number];

const VERSIONS = JSON.parse(readFileSync(path.join(ENV_DIR, "versions.json"), "utf8")) as Record<
  string,
  string
>;

/** The static pod kubeadm would have written for a running control-plane process. */
export function staticPod(
  cluster: TestCluster,
  component: ControlPlaneComponent,
  proc: ManagedProcess,
  nodeName: string,
) {
  const command = [component, ...proc.command.slice(1)];
  const flag = (name: string) =>
    command
      .find((arg) => arg.startsWith(`--${name}=`))
      ?.split("=")
      .slice(1)
      .join("=");
  const ip = cluster.controlPlaneIp;
  const pkiDir = cluster.pki.pkiDir;
  const hostPath = (name: string, dir: string, type: string, readOnly = true) => ({
    volume: { name, hostPath: { path: dir, type } },
    mount: { name, mountPath: dir, ...(readOnly && { readOnly }) },
  });
  const caVolumes = [
    hostPath("ca-certs", "/etc/ssl/certs", "DirectoryOrCreate"),
    hostPath("etc-ca-certificates", "/etc/ca-certificates", "DirectoryOrCreate"),
    hostPath("k8s-certs", pkiDir, "DirectoryOrCreate"),
    hostPath("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates", "DirectoryOrCreate"),
    hostPath("usr-share-ca-certificates", "/usr/share/ca-certificates", "DirectoryOrCreate"),
  ];
  const probe = (
    host: string,
    probePath: string,
    scheme: string,
    kind: "liveness" | "readiness" | "startup",
  ) => ({
    httpGet: { host, path: probePath, port: "probe-port", scheme },
    ...{
      liveness: { initialDelaySeconds: 10, timeoutSeconds: 15, failureThreshold: 8, periodSeconds: 10 },
      readiness: { timeoutSeconds: 15, failureThreshold: 3, periodSeconds: 1 },
      startup: { initialDelaySeconds: 10, timeoutSeconds: 15, failureThreshold: 24, periodSeconds: 10 },
    }[kind],
  });
  const image = (name: string, tag: string) => `registry.k8s.io/${name}:${tag}`;
  const k8s = VERSIONS.kubernetes as string;

  let spec: {
    image: string;
    port: number;
    cpu: string;
    volumes: ReturnType<typeof hostPath>[];
    probes: object;
  };
  let annotations: Record<string, string> = {};
  switch (component) {
    case "etcd": {
      const metrics = new URL(flag("listen-metrics-urls") ?? `http://${ip}:2381`);
      const legacy = proc.command[0]?.includes("etcd-legacy");
      const version = (legacy ? VERSIONS.etcdLegacy : VERSIONS.etcd) as string;
      spec = {
        image: image("etcd", `${version.replace(/^v/, "")}-0`),
        port: Number(metrics.port),
        cpu: "100m",
        volumes: [
          hostPath("etcd-certs", path.join(pkiDir, "etcd"), "DirectoryOrCreate", false),
          hostPath(
            "etcd-data",
            flag("data-dir") ?? path.join(cluster.root, "etcd"),
            "DirectoryOrCreate",
            false,
          ),
        ],
        probes: {
          livenessProbe: probe(metrics.hostname, "/livez", "HTTP", "liveness"),
          readinessProbe: probe(metrics.hostname, "/readyz", "HTTP", "readiness"),
          startupProbe: probe(metrics.hostname, "/readyz", "HTTP", "startup"),
        },
      };
      annotations = {
        "kubeadm.kubernetes.io/etcd.advertise-client-urls": flag("advertise-client-urls") ?? "",
      };
      break;
    }
    case "kube-apiserver": {
      const host = flag("advertise-address") ?? ip;
      spec = {
        image: image(component, k8s),
        port: Number(flag("secure-port") ?? 6443),
        cpu: "250m",
        volumes: caVolumes,
        probes: {
          livenessProbe: probe(host, "/livez", "HTTPS", "liveness"),
          readinessProbe: probe(host, "/readyz", "HTTPS", "readiness"),
          startupProbe: probe(host, "/livez", "HTTPS", "startup"),
        },
      };
      annotations = {
        "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": `${host}:${spec.port}`,
      };
      break;
    }
    case "kube-controller-manager": {
      const host = flag("bind-address") ?? ip;
      spec = {
        image: image(component, k8s),
        port: 10257,
        cpu: "200m",
        volumes: [
          ...caVolumes,
          hostPath(
            "flexvolume-dir",
            "/usr/libexec/kubernetes/kubelet-plugins/volume/exec",
            "DirectoryOrCreate",
            false,
          ),
          hostPath(
            "kubeconfig",
            flag("kubeconfig") ?? cluster.pki.kubeconfig.controllerManager,
            "FileOrCreate",
          ),
        ],
        probes: {
          livenessProbe: probe(host, "/healthz", "HTTPS", "liveness"),
          startupProbe: probe(host, "/healthz", "HTTPS", "startup"),
        },
      };
      break;
    }
    case "kube-scheduler": {
      const host = flag("bind-address") ?? ip;
      spec = {
        image: image(component, k8s),
        port: 10259,
        cpu: "100m",
        volumes: [
          hostPath("kubeconfig", flag("kubeconfig") ?? cluster.pki.kubeconfig.scheduler, "FileOrCreate"),
        ],
        probes: {
          livenessProbe: probe(host, "/livez", "HTTPS", "liveness"),
          readinessProbe: probe(host, "/readyz", "HTTPS", "readiness"),
          startupProbe: probe(host, "/livez", "HTTPS", "startup"),
        },
      };
      break;
    }
  }
  const volumes = [...spec.volumes].sort((a, b) => a.volume.name.localeCompare(b.volume.name));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${component}-${nodeName}`,
      namespace: "kube-system",
      labels: { component, tier: "control-plane" },
      annotations,
    },
    spec: {
      containers: [
        {
          name: component,
          image: spec.image,
          imagePullPolicy: "IfNotPresent",
          command,
          ports: [{ name: "probe-port", containerPort: spec.port, protocol: "TCP" }],
          resources: { requests: { cpu: spec.cpu, ...(component === "etcd" && { memory: "100Mi" }) } },
          volumeMounts: volumes.map((v) => v.mount),
          ...spec.probes,
        },
      ],
      hostNetwork: true,
      nodeName,
      priorityClassName: "system-node-critical",
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      tolerations: [{ operator: "Exists", effect: "NoExecute" }],
      volumes: volumes.map((v) => v.volume),
    },
  };
}

interface Running {
  hash: string;
  pid: number | undefined;
  containerId: string;
  restarts: number;
  startedAt: string;
}

/**
 * The kubelet's mirror pods for the control-plane "static pods": one per running process, bound
 * to this node and owned by its Node object (NodeRestriction allows nothing else). It recreates a
 * mirror pod that is deleted (deleting it restarts nothing, S4), replaces it when the
 * command line changes, and reports the process's real start, restarts and exit.
 */
export class MirrorPods {
  private readonly seen = new Map<string, Pod>();
  private readonly running = new Map<ControlPlaneComponent, Running>();
  private readonly sent = new Map<string, string>();
  private syncing: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly cluster: TestCluster,
    private readonly node: { name: string; ip: string; uid: string },
    private readonly onError: (err: unknown) => void,
  ) {}

  start(intervalMs = 10_000): Promise<void> {
    this.timer = setInterval(() => void this.sync(), intervalMs);
    this.timer.unref();
    return this.sync();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  handle(type: WatchEventType, pod: Pod): void {
    if (pod.metadata.annotations?.[MIRROR_ANNOTATION] === undefined) return;
    if (type === "DELETED") {
      if (this.seen.get(pod.metadata.name)?.metadata.uid === pod.metadata.uid)
        this.seen.delete(pod.metadata.name);
      this.sent.delete(pod.metadata.uid as string);
    } else this.seen.set(pod.metadata.name, pod);
    if (type === "DELETED" || pod.metadata.deletionTimestamp) void this.sync();
  }

  /** Brings every mirror pod in line with its process; concurrent calls coalesce. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        for (const component of CONTROL_PLANE_COMPONENTS) {
          try {
            await this.syncOne(component);
          } catch (err) {
            if (!isConflict(err) && !isNotFound(err)) this.onError(err);
          }
        }
      } while (this.again);
    })().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async syncOne(component: ControlPlaneComponent): Promise<void> {
    const proc = this.cluster.processes[component];
    if (!proc) return;
    const manifest = staticPod(this.cluster, component, proc, this.node.name);
    const hash = createHash("sha256").update(JSON.stringify(manifest)).digest("hex").slice(0, 32);
    const name = manifest.metadata.name;
    const ref = { ...pods("kube-system"), name };
    let mirror = this.seen.get(name);
    if (
      mirror &&
      (mirror.metadata.deletionTimestamp || mirror.metadata.annotations?.[MIRROR_ANNOTATION] !== hash)
    ) {
      await deleteNow(this.client, ref, mirror.metadata.uid as string);
      this.seen.delete(name);
      mirror = undefined;
    }
    if (!mirror) {
      mirror = await this.client.create<Pod>(pods("kube-system"), {
        ...manifest,
        metadata: {
          ...manifest.metadata,
          annotations: {
            ...manifest.metadata.annotations,
            "kubernetes.io/config.hash": hash,
            [MIRROR_ANNOTATION]: hash,
            "kubernetes.io/config.seen": new Date().toISOString(),
            "kubernetes.io/config.source": "file",
          },
          ownerReferences: [
            { apiVersion: "v1", kind: "Node", name: this.node.name, uid: this.node.uid, controller: true },
          ],
        },
      });
      this.seen.set(name, mirror);
    }
    const status = this.statusOf(component, proc, mirror, hash);
    const body = JSON.stringify(status);
    if (this.sent.get(mirror.metadata.uid as string) === body) return;
    await this.client.patch({ ...ref, subresource: "status" }, { status });
    this.sent.set(mirror.metadata.uid as string, body);
  }

  private statusOf(component: ControlPlaneComponent, proc: ManagedProcess, mirror: Pod, hash: string) {
    const pid = proc.child.pid;
    let run = this.running.get(component);
    if (!run || run.pid !== pid || run.hash !== hash) {
      run = {
        hash,
        pid,
        containerId: containerId(),
        restarts: run?.hash === hash ? run.restarts + 1 : 0,
        startedAt: processStart(pid) ?? metaTime(),
      };
      this.running.set(component, run);
    }
    const exited = proc.child.exitCode !== null || proc.child.signalCode !== null;
    const container = mirror.spec.containers[0];
    const image = container?.image ?? "";
    const containerStatus: ContainerStatus = {
      name: component,
      image,
      imageID: imageId(image),
      containerID: run.containerId,
      ready: !exited,
      started: !exited,
      restartCount: run.restarts,
      state: exited
        ? {
            terminated: {
              exitCode: proc.child.exitCode ?? 137,
              reason: "Error",
              startedAt: run.startedAt,
              finishedAt: metaTime(),
              containerID: run.containerId,
            },
          }
        : { running: { startedAt: run.startedAt } },
      lastState: {},
    };
    const since = run.startedAt;
    const condition = (type: string, ok: boolean): PodCondition => ({
      type,
      status: ok ? "True" : "False",
      lastProbeTime: null,
      lastTransitionTime: since,
    });
    return {
      phase: "Running",
      conditions: [
        condition("PodReadyToStartContainers", true),
        condition("Initialized", true),
        condition("Ready", !exited),
        condition("ContainersReady", !exited),
        condition("PodScheduled", true),
      ],
      hostIP: this.node.ip,
      hostIPs: [{ ip: this.node.ip }],
      podIP: this.node.ip,
      podIPs: [{ ip: this.node.ip }],
      startTime: since,
      containerStatuses: [containerStatus],
    };
  }
}

/** When the process started, from /proc (clock ticks since boot, at the usual 100 Hz). */
function processStart(pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    const bootTime = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(bootTime)) return undefined;
    return metaTime(new Date((bootTime + ticks / 100) * 1000));
  } catch {
    return undefined;
  }
}
