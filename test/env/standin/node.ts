import { randomBytes, randomUUID } from "node:crypto";
import os from "node:os";
import type { KubeClient, KubeObject } from "@kubemend/lib/kube/client";
import { isConflict, isNotFound } from "@kubemend/lib/kube/errors";
import { metaTime, microTime } from "@kubemend/lib/kube/time";
import { NODE_LEASES, NODES } from "./api.js";

export const KUBELET_VERSION = "v1.37.2";
export const KUBELET_PORT = 10250;
const LEASE_DURATION_SECONDS = 40;

export interface NodeAddress {
  type: "InternalIP" | "ExternalIP" | "Hostname" | "InternalDNS" | "ExternalDNS";
  address: string;
}

export interface NodeCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface Node extends KubeObject {
  spec?: {
    taints?: { key: string; value?: string; effect: string }[];
    podCIDR?: string;
    unschedulable?: boolean;
  };
  status?: {
    addresses?: NodeAddress[];
    conditions?: NodeCondition[];
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    daemonEndpoints?: { kubeletEndpoint: { Port: number } };
    nodeInfo?: Record<string, string>;
  };
}

export interface NodeRegistration {
  name: string;
  ip: string;
  /** kubeadm registers control-plane kubelets with the control-plane NoSchedule taint. */
  controlPlane: boolean;
}

const CAPACITY = {
  cpu: "4",
  "ephemeral-storage": "102626232Ki",
  "hugepages-1Gi": "0",
  "hugepages-2Mi": "0",
  memory: "8148236Ki",
  pods: "110",
};
const ALLOCATABLE = { ...CAPACITY, "ephemeral-storage": "94580335255", memory: "8045836Ki" };

/** Creates (or adopts) the Node object with the node's own credentials, as the kubelet registers. */
export async function registerNode(client: KubeClient, reg: NodeRegistration): Promise<Node> {
  const body: Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: reg.name,
      labels: {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": reg.name,
        "kubernetes.io/os": "linux",
      },
      annotations: { "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
    },
    spec: reg.controlPlane
      ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }
      : {},
    status: nodeStatus(reg, new Date(), new Date()),
  };
  try {
    return await client.create<Node>(NODES, body);
  } catch (err) {
    if (!isConflict(err)) throw err;
    return client.get<Node>({ ...NODES, name: reg.name });
  }
}

/** kubeadm's mark-control-plane phase, done with admin credentials: nodes may not set node-role labels. */
export async function markControlPlane(admin: KubeClient, name: string): Promise<void> {
  await admin.patch(
    { ...NODES, name },
    {
      metadata: {
        labels: {
          "node-role.kubernetes.io/control-plane": "",
          "node.kubernetes.io/exclude-from-external-load-balancers": "",
        },
      },
    },
  );
}

function nodeStatus(reg: NodeRegistration, now: Date, readySince: Date): Node["status"] {
  const condition = (
    type: string,
    status: "True" | "False",
    reason: string,
    message: string,
  ): NodeCondition => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: metaTime(now),
    lastTransitionTime: metaTime(readySince),
  });
  return {
    addresses: [
      { type: "InternalIP", address: reg.ip },
      { type: "Hostname", address: reg.name },
    ],
    capacity: CAPACITY,
    allocatable: ALLOCATABLE,
    conditions: [
      condition(
        "MemoryPressure",
        "False",
        "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available",
      ),
      condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
      condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
      condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: nodeInfo(reg.name),
  };
}

const machines = new Map<string, Record<string, string>>();

/** Stable per node name for the life of the process, as a machine's IDs are. */
function nodeInfo(name: string): Record<string, string> {
  let info = machines.get(name);
  if (!info) {
    info = {
      architecture: "amd64",
      bootID: randomUUID(),
      containerRuntimeVersion: "containerd://2.1.4",
      kernelVersion: os.release(),
      kubeletVersion: KUBELET_VERSION,
      machineID: randomBytes(16).toString("hex"),
      operatingSystem: "linux",
      osImage: "Ubuntu 24.04.2 LTS",
      systemUUID: randomUUID(),
    };
    machines.set(name, info);
  }
  return info;
}

export interface HeartbeatOptions {
  /** The kubelet renews its lease every 10 s (a quarter of the 40 s lease duration). */
  leaseIntervalMs?: number;
  /** The kubelet reports unchanged status every 5 minutes; a minute keeps the heartbeat visible. */
  statusIntervalMs?: number;
  onError?: (err: unknown) => void;
}

/** Keeps a registered node Ready: its Lease in kube-node-lease and its status heartbeat. */
export class NodeHeartbeat {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly readySince = new Date();

  constructor(
    private readonly client: KubeClient,
    private readonly reg: NodeRegistration,
    private readonly node: Node,
    private readonly options: HeartbeatOptions = {},
  ) {}

  async start(): Promise<void> {
    await Promise.all([this.renewLease(), this.postStatus()]);
    const { leaseIntervalMs = 10_000, statusIntervalMs = 60_000 } = this.options;
    this.timers.push(setInterval(() => this.guard(this.renewLease()), leaseIntervalMs));
    this.timers.push(setInterval(() => this.guard(this.postStatus()), statusIntervalMs));
    for (const timer of this.timers) timer.unref();
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  async postStatus(): Promise<void> {
    await this.client.patch(
      { ...NODES, name: this.reg.name, subresource: "status" },
      { status: nodeStatus(this.reg, new Date(), this.readySince) },
    );
  }

  private async renewLease(): Promise<void> {
    const ref = { ...NODE_LEASES, name: this.reg.name };
    try {
      await this.client.patch(ref, { spec: { holderIdentity: this.reg.name, renewTime: microTime() } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.client.create(NODE_LEASES, {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: {
          name: this.reg.name,
          namespace: "kube-node-lease",
          ownerReferences: [
            { apiVersion: "v1", kind: "Node", name: this.reg.name, uid: this.node.metadata.uid },
          ],
        },
        spec: {
          holderIdentity: this.reg.name,
          leaseDurationSeconds: LEASE_DURATION_SECONDS,
          renewTime: microTime(),
        },
      });
    }
  }

  private guard(work: Promise<void>): void {
    work.catch((err) => this.options.onError?.(err));
  }
}
