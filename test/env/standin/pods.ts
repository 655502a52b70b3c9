import { createHash, randomBytes } from "node:crypto";
import type { KubeObject } from "@kubemend/lib/kube/client";

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Probe {
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command: string[] };
  grpc?: { port: number };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: ContainerPort[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
}

export interface PodCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: Record<string, Record<string, unknown>>;
  lastState: Record<string, Record<string, unknown>>;
}

export interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string | null;
  podIPs?: { ip: string }[] | null;
  startTime?: string;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  observedGeneration?: number;
}

export interface Pod extends KubeObject {
  metadata: KubeObject["metadata"] & { generation?: number };
  spec: {
    nodeName?: string;
    hostNetwork?: boolean;
    containers: Container[];
    initContainers?: Container[];
    restartPolicy?: string;
    [field: string]: unknown;
  };
  status?: PodStatus;
}

export const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined;
}

/** containerd's form of an image reference: registry and tag made explicit. */
export function normalizeImage(image: string): string {
  const slash = image.indexOf("/");
  const first = slash < 0 ? "" : image.slice(0, slash);
  const hasRegistry = first.includes(".") || first.includes(":") || first === "localhost";
  let ref = hasRegistry ? image : `docker.io/${slash < 0 ? `library/${image}` : image}`;
  const lastPart = ref.slice(ref.lastIndexOf("/") + 1);
  if (!lastPart.includes(":") && !lastPart.includes("@")) ref += ":latest";
  return ref;
}

/** A stable, made-up digest for an image, as the runtime would report in imageID. */
export function imageId(image: string): string {
  const normalized = normalizeImage(image);
  const repository = normalized.replace(/[:@][^/]*$/, "");
  return `${repository}@sha256:${createHash("sha256").update(normalized).digest("hex")}`;
}

export function containerId(): string {
  return `containerd://${randomBytes(32).toString("hex")}`;
}
