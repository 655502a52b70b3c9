import { accessSync, constants, readFileSync } from "node:fs";
import type { CommandContext } from "@kubemend/lib/cli/app";
import { IncompleteError } from "@kubemend/lib/cli/errors";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { connect } from "@kubemend/lib/kube/connect";
import { loadKubeConfig } from "@kubemend/lib/kube/kubeconfig";
import { EtcdEndpoint, type EtcdTls } from "./client.js";
import {
  DiscoveryError,
  describeFile,
  type EtcdConnection,
  type EtcdctlFlags,
  type FileChoice,
  flagsSuffice,
  resolveConnection,
} from "./discovery.js";
import type { NodeEtcd, NodeEtcdMember } from "./node.js";
import {
  type ApiserverEtcd,
  type EtcdMemberPod,
  type PodLike,
  parseApiserverPod,
  parseEtcdPod,
} from "./pods.js";

export interface Discovered {
  connection: EtcdConnection;
  tls?: EtcdTls;
  /** The etcd members as their mirror pods run them (empty when the API server was not asked). */
  members: EtcdMemberPod[];
  /** The API client, when the kubeconfig works. */
  kube?: KubeClient;
  /** Why the mirror pods could not be read, when the flags made up for it. */
  kubeError?: string;
  /** The members as the processes on this node run them, when there are no mirror pods (binary installs). */
  nodeMembers?: NodeEtcdMember[];
}

const PODS = { group: "", version: "v1", resource: "pods", namespace: "kube-system" };

async function controlPlanePods(kube: KubeClient, component: string): Promise<PodLike[]> {
  const pods: PodLike[] = [];
  for await (const pod of kube.list<PodLike>(PODS, { labelSelector: `component=${component}` }))
    pods.push(pod);
  return pods;
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds etcd and reads the TLS files (see locateEtcd). */
export async function discoverEtcd(
  ctx: Pick<CommandContext, "kube" | "env">,
  flags: EtcdctlFlags,
  pods: "if-needed" | "always" = "if-needed",
): Promise<Discovered> {
  const located = await locateEtcd(ctx, flags, pods);
  return { ...located, tls: loadTls(located.connection) };
}

/**
 * Finds etcd for a command, without reading any file. The API server is asked for the mirror pods unless etcdctl's flags
 * say everything and the command does not need the members (`pods: "if-needed"`).
 */
export async function locateEtcd(
  ctx: Pick<CommandContext, "kube" | "env">,
  flags: EtcdctlFlags,
  pods: "if-needed" | "always" = "if-needed",
): Promise<Omit<Discovered, "tls">> {
  let kube: KubeClient | undefined;
  let members: EtcdMemberPod[] = [];
  let apiservers: ApiserverEtcd[] = [];
  let kubeError: string | undefined;
  // What runs on this node, looked at once: a binary install has no mirror pods.
  let onNode: Promise<NodeEtcd> | undefined;
  const nodeEtcd = () => {
    // Loaded when needed: node discovery is not compiled by commands that never look.
    onNode ??= import("./node.js").then((m) => m.etcdOnNode(serverOf(ctx)));
    return onNode;
  };
  if (pods === "always" || !flagsSuffice(flags)) {
    try {
      kube = await connect(ctx);
      members = (await controlPlanePods(kube, "etcd")).map(parseEtcdPod);
      apiservers = (await controlPlanePods(kube, "kube-apiserver")).map(parseApiserverPod);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      kubeError = message;
      if (!(flags.endpoints && flags.endpoints.length > 0) && (await nodeEtcd()).members.length === 0) {
        throw new IncompleteError(
          `cannot find etcd: reading the control-plane mirror pods failed: ${message}`,
          "pass etcd's address and files with --endpoints, --cacert, --cert and --key (or ETCDCTL_*)",
        );
      }
    }
  }
  // No mirror pods: etcd and the API server are found from what runs here.
  let nodeMembers: NodeEtcdMember[] = [];
  if (members.length === 0 && apiservers.length === 0 && !flagsSuffice(flags)) {
    const found = await nodeEtcd();
    nodeMembers = found.members;
    members = found.members;
    apiservers = found.apiservers;
  }
  let connection: EtcdConnection;
  try {
    connection = resolveConnection(flags, members, apiservers, readable);
  } catch (err) {
    if (!(err instanceof DiscoveryError)) throw err;
    throw new IncompleteError(
      err.message,
      "is this a stacked kubeadm control plane? otherwise pass --endpoints, --cacert, --cert and --key",
    );
  }
  return {
    connection,
    members,
    ...(nodeMembers.length > 0 && { nodeMembers }),
    kube,
    ...(kubeError !== undefined && { kubeError }),
  };
}

/** The API server the kubeconfig dials, to pick this cluster's processes on the node. */
function serverOf(ctx: Pick<CommandContext, "kube" | "env">): string | undefined {
  try {
    return loadKubeConfig(ctx.kube, { env: ctx.env }).server;
  } catch {
    return undefined;
  }
}

/** Reads the TLS files; an unreadable one is named together with where it lives. */
export function loadTls(c: EtcdConnection): EtcdTls | undefined {
  if (c.endpoints.every((e) => e.startsWith("http://"))) return undefined;
  if (c.ca === undefined)
    throw new IncompleteError(
      `no etcd CA for ${c.endpoints.join(",")}`,
      "pass the etcd CA with --cacert (kubeadm: /etc/kubernetes/pki/etcd/ca.crt)",
    );
  const read = (role: string, f: FileChoice) => {
    try {
      return readFileSync(f.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      const where = f.node
        ? `run this on node ${f.node} as a user who can read it (root, with sudo), or`
        : "check the path, or";
      throw new IncompleteError(
        `cannot read ${describeFile(role, f)}: ${code === "EACCES" ? "permission denied" : code === "ENOENT" ? "no such file here" : code}`,
        `${where} pass the file with ${role === "the etcd CA" ? "--cacert" : "--cert and --key"}`,
      );
    }
  };
  return {
    ca: read("the etcd CA", c.ca),
    cert: c.cert && read("the etcd client certificate", c.cert),
    key: c.key && read("the etcd client key", c.key),
    files: { ca: c.ca.path, cert: c.cert?.path, key: c.key?.path },
  };
}

export function endpointsOf(d: Discovered, timeoutMs?: number): EtcdEndpoint[] {
  return d.connection.endpoints.map((url) => new EtcdEndpoint(url, d.tls, timeoutMs));
}
