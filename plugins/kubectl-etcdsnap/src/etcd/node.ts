// etcd as the processes on this node run it, for binary installs (no mirror pods): each member's
// settings from its flags and ETCD_* environment, and kube-apiserver's --etcd-* flags. File paths
// are where this machine reads them (through /proc/<pid>/root), so a member in another mount
// namespace or container is read as it sees its files.
import os from "node:os";
import { discoverNode, componentLabel as label, type NodeComponent } from "@kubemend/lib/node/discover";
import { listFlag } from "@kubemend/lib/node/flags";
import type { ApiserverEtcd, EtcdMemberPod } from "./pods.js";

/** An etcd member found on this node: the member, with how it runs. */
export interface NodeEtcdMember extends EtcdMemberPod {
  /** Undefined when its static pod's manifest is there but no process runs it. */
  pid?: number;
  runsAs: NodeComponent["runsAs"];
  unit?: { name: string; file?: string; environmentFiles: string[] };
  /** How each setting was given: "--data-dir" or "ETCD_DATA_DIR". */
  origin: Record<string, string>;
}

export interface NodeEtcd {
  members: NodeEtcdMember[];
  apiservers: ApiserverEtcd[];
  warnings: string[];
}

export function memberFromProcess(c: NodeComponent, node: string): NodeEtcdMember {
  const s = c.settings;
  const file = (name: string) => {
    const value = s.get(name);
    return value === undefined ? undefined : c.view(value);
  };
  const advertised = listFlag(s.get("advertise-client-urls"));
  const clientUrls =
    advertised.length > 0
      ? advertised
      : listFlag(s.get("listen-client-urls")).filter((u) => !/\/\/(0\.0\.0\.0|\[::\])(:|$)/.test(u));
  const origin: Record<string, string> = {};
  for (const name of [
    "data-dir",
    "initial-advertise-peer-urls",
    "initial-cluster",
    "name",
    "advertise-client-urls",
  ])
    origin[name] = c.origin(name);
  return {
    pod: label(c),
    node,
    name: s.get("name") ?? "default",
    clientUrls,
    peerUrls: listFlag(s.get("initial-advertise-peer-urls")),
    dataDir: s.get("data-dir") ?? `${s.get("name") ?? "default"}.etcd`,
    initialCluster: s.get("initial-cluster"),
    initialClusterToken: s.get("initial-cluster-token"),
    trustedCaFile: file("trusted-ca-file"),
    certFile: file("cert-file"),
    pid: c.pid,
    runsAs: c.runsAs,
    ...(c.unit && { unit: c.unit }),
    origin,
  };
}

export function apiserverFromProcess(c: NodeComponent, node: string): ApiserverEtcd {
  const file = (name: string) => {
    const value = c.settings.get(name);
    return value === undefined ? undefined : c.view(value);
  };
  return {
    pod: label(c),
    node,
    servers: listFlag(c.settings.get("etcd-servers")),
    caFile: file("etcd-cafile"),
    certFile: file("etcd-certfile"),
    keyFile: file("etcd-keyfile"),
  };
}

/** The etcd members and API servers of the cluster `server` names, as they run on this node. */
export async function etcdOnNode(server: string | undefined, procRoot?: string): Promise<NodeEtcd> {
  let apiServer: { host: string; port: number } | undefined;
  try {
    if (server) {
      const url = new URL(server);
      apiServer = { host: url.hostname, port: Number(url.port || 443) };
    }
  } catch {
    apiServer = undefined;
  }
  const found = await discoverNode({ ...(apiServer && { apiServer }), ...(procRoot && { procRoot }) });
  const node = os.hostname();
  return {
    members: found.components.filter((c) => c.component === "etcd").map((c) => memberFromProcess(c, node)),
    apiservers: found.components
      .filter((c) => c.component === "kube-apiserver")
      .map((c) => apiserverFromProcess(c, node)),
    warnings: found.warnings,
  };
}
