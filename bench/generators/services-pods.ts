// The netcheck workload: Services and the pods they select, as objects. Pods are bound to light
// Nodes (spec.nodeName, so the scheduler is not involved) and given the status a kubelet would
// report: Running, Ready, a pod IP from their node's pod CIDR. The EndpointSlices are then computed
// by the real controller-manager, exactly as in a cluster, rather than written here: a generator
// that wrote them could only agree with itself. Keeping the pods Ready needs the nodes Ready, so
// their Leases are renewed until the workload is stopped.

import { mapLimit } from "@kubemend/lib/concurrency";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { metaTime } from "@kubemend/lib/kube/time";
import { waitFor } from "../../test/env/process.js";
import { pods as podsRef } from "../../test/env/standin/api.js";
import {
  containerId,
  imageId,
  normalizeImage,
  type Pod,
  type PodStatus,
} from "../../test/env/standin/pods.js";
import { createLightNodes, keepNodesReady, type LightNode, nodePrefix } from "./nodes.js";
import { APPS, benchLabels, core, ensureNamespaces, namespaceNames, selector } from "./objects.js";
import { Random } from "./random.js";

export const GENERATOR = "services-pods";
/** Below the kubelet's default of 110 pods per node. */
const PODS_PER_NODE = 100;
const CONTAINER_PORT = 8080;

export interface ServicesWorkload {
  seed: number | string;
  services: number;
  pods: number;
  namespaces: number;
  /** The cluster's address block (TestCluster.block), for the nodes' InternalIPs. */
  block: number;
}

export interface PlannedService {
  namespace: string;
  name: string;
  /** The Service's targetPort: the container port's name or its number. */
  targetPort: string | number;
}

export interface PlannedPod {
  namespace: string;
  name: string;
  service: number;
  node: number;
  ip: string;
}

export interface ServicesPlan {
  namespaces: string[];
  services: PlannedService[];
  pods: PlannedPod[];
  nodes: number;
}

/**
 * Node k's pod CIDR is 172.16.0.0/12 cut into /24s, as a CNI's per-node IPAM blocks; the pods
 * exist as objects only, so their addresses need not be routable inside the test network.
 */
export function podCidr(node: number): string {
  return `172.${16 + Math.floor(node / 256)}.${node % 256}.0/24`;
}

/** Every Service selects at least one pod when there are enough; the rest go unevenly, as replicas do. */
export function planServices(workload: ServicesWorkload): ServicesPlan {
  const rnd = new Random(workload.seed).fork("services");
  const namespaces = namespaceNames("netcheck", workload.namespaces);
  const taken = new Set<string>();
  const services: PlannedService[] = [];
  for (let i = 0; i < workload.services; i++) {
    const namespace = namespaces[rnd.skewed(namespaces.length)] as string;
    let name: string;
    do name = `${rnd.pick(APPS)}-${rnd.alphanumeric(4)}`;
    while (taken.has(`${namespace}/${name}`));
    taken.add(`${namespace}/${name}`);
    services.push({ namespace, name, targetPort: rnd.chance(0.5) ? "http" : CONTAINER_PORT });
  }
  const nodes = Math.max(1, Math.ceil(workload.pods / PODS_PER_NODE));
  const onNode = new Array<number>(nodes).fill(0);
  const hashes = services.map(() => rnd.alphanumeric(10));
  const pods: PlannedPod[] = [];
  for (let i = 0; i < workload.pods; i++) {
    const service = i < services.length ? i : rnd.skewed(services.length);
    const s = services[service] as PlannedService;
    const node = i % nodes;
    const host = (onNode[node] as number) + 1;
    onNode[node] = host;
    const base = podCidr(node).split(".").slice(0, 3).join(".");
    pods.push({
      namespace: s.namespace,
      name: `${s.name}-${hashes[service]}-${rnd.alphanumeric(5)}`,
      service,
      node,
      ip: `${base}.${host}`,
    });
  }
  return {
    namespaces: namespaces.filter((ns) => services.some((s) => s.namespace === ns)),
    services,
    pods,
    nodes,
  };
}

function runningStatus(pod: Pod, node: LightNode, ip: string, now: string): PodStatus {
  const condition = (type: string) => ({
    type,
    status: "True" as const,
    lastProbeTime: null,
    lastTransitionTime: now,
  });
  return {
    phase: "Running",
    conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(
      condition,
    ),
    hostIP: node.ip,
    hostIPs: [{ ip: node.ip }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: now,
    containerStatuses: pod.spec.containers.map((c) => ({
      name: c.name,
      image: normalizeImage(c.image),
      imageID: imageId(c.image),
      containerID: containerId(),
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
      lastState: {},
    })),
  };
}

export interface ServicesResult {
  plan: ServicesPlan;
  nodes: LightNode[];
  /** Ready endpoints over all the workload's EndpointSlices, once they cover every pod. */
  readyEndpoints: number;
  ms: number;
  /** Stops renewing the nodes' Leases. */
  stop(): void;
}

/**
 * Creates the nodes, namespaces, Services and pods, reports the pods Running and Ready, and waits
 * until the controller-manager's EndpointSlices hold a ready endpoint for every pod.
 */
export async function createServicesAndPods(
  admin: KubeClient,
  workload: ServicesWorkload,
  options: { concurrency?: number; onError?: (err: unknown) => void } = {},
): Promise<ServicesResult> {
  const started = performance.now();
  const concurrency = options.concurrency ?? 16;
  const plan = planServices(workload);
  const labels = benchLabels(GENERATOR, workload.seed);
  const [nodes] = await Promise.all([
    createLightNodes(admin, {
      block: workload.block,
      prefix: nodePrefix(GENERATOR, workload.seed),
      count: plan.nodes,
    }),
    ensureNamespaces(admin, plan.namespaces, labels),
  ]);
  const heartbeat = await keepNodesReady(admin, nodes, options.onError ?? (() => {}));
  try {
    await mapLimit(plan.services, concurrency, (s) =>
      admin.create(core("services", s.namespace), {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: s.name, namespace: s.namespace, labels: { ...labels, app: s.name } },
        spec: {
          type: "ClusterIP",
          selector: { app: s.name },
          ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: s.targetPort }],
        },
      }),
    );
    await mapLimit(plan.pods, concurrency, async (p) => {
      const service = plan.services[p.service] as PlannedService;
      const node = nodes[p.node] as LightNode;
      const image = `registry.example.com/${service.name.replace(/-[^-]+$/, "")}:1.${p.service % 10}`;
      const pod = await admin.create<Pod>(podsRef(p.namespace), {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: p.name,
          namespace: p.namespace,
          labels: { ...labels, app: service.name, "pod-template-hash": p.name.split("-").at(-2) },
        },
        spec: {
          nodeName: node.name,
          containers: [
            {
              name: "app",
              image,
              ports: [{ name: "http", containerPort: CONTAINER_PORT, protocol: "TCP" }],
              readinessProbe: { httpGet: { path: "/healthz", port: "http" } },
            },
          ],
        },
      });
      await admin.patch(
        { ...podsRef(p.namespace), name: p.name, subresource: "status" },
        { status: runningStatus(pod, node, p.ip, metaTime()) },
      );
    });
    const readyEndpoints = await waitFor(
      `EndpointSlices with ${plan.pods.length} ready endpoints`,
      async () => {
        const ready = await countReadyEndpoints(admin, labels);
        return ready === plan.pods.length ? ready : undefined;
      },
      { timeoutMs: 120_000 + plan.pods.length * 10, intervalMs: 1_000 },
    );
    return { plan, nodes, readyEndpoints, ms: performance.now() - started, stop: heartbeat.stop };
  } catch (err) {
    heartbeat.stop();
    throw err;
  }
}

interface EndpointSlice {
  endpoints?: { conditions?: { ready?: boolean } }[] | null;
}

/** The EndpointSlice controller copies a Service's labels to its slices, so they select alike. */
export async function countReadyEndpoints(
  admin: KubeClient,
  labels: Record<string, string>,
): Promise<number> {
  let ready = 0;
  const ref = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };
  for await (const slice of admin.list<EndpointSlice>(ref, { labelSelector: selector(labels) }))
    for (const endpoint of slice.endpoints ?? []) if (endpoint.conditions?.ready) ready++;
  return ready;
}
