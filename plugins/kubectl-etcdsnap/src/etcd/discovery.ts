// Finding etcd and the files to talk to it: etcdctl's flags and ETCDCTL_* variables first, then
// the etcd mirror pods (client URLs, --trusted-ca-file, --cert-file), kubeadm's certificate
// layout beside them, and kube-apiserver's --etcd-* flags. resolveConnection is pure; the I/O
// is in collect.ts.

import path from "node:path";
import type { ApiserverEtcd, EtcdMemberPod } from "./pods.js";

/** etcdctl's connection flags, as the user gave them (or ETCDCTL_* did). */
export interface EtcdFlags {
  endpoints?: string[];
  cacert?: string;
  cert?: string;
  key?: string;
}

/** A file and how it was found, so an unreadable one can be explained. */
export interface FileChoice {
  path: string;
  /** "--cacert", "ETCDCTL_KEY", "kubeadm layout beside etcd-cp-1's --cert-file", ... */
  from: string;
  /** The node the file lives on, when it came from a pod. */
  node?: string;
}

export interface EtcdConnection {
  endpoints: string[];
  endpointsFrom: string;
  ca?: FileChoice;
  cert?: FileChoice;
  key?: FileChoice;
}

/** etcdctl's flags as a command read them, and where each came from (a flag or a variable). */
export type EtcdctlFlags = EtcdFlags & { from: Record<string, string> };

/** Flags win over ETCDCTL_* variables, which win over discovery, as in etcdctl. */
export function etcdFlags(args: Record<string, unknown>, env: NodeJS.ProcessEnv): EtcdctlFlags {
  const from: Record<string, string> = {};
  const pick = (flag: string, variable: string): string | undefined => {
    const value = args[flag];
    if (typeof value === "string" && value !== "") {
      from[flag] = `--${flag}`;
      return value;
    }
    const e = env[variable];
    if (e) {
      from[flag] = variable;
      return e;
    }
    return undefined;
  };
  const endpoints = pick("endpoints", "ETCDCTL_ENDPOINTS");
  return {
    endpoints: endpoints === undefined ? undefined : splitEndpoints(endpoints),
    cacert: pick("cacert", "ETCDCTL_CACERT"),
    cert: pick("cert", "ETCDCTL_CERT"),
    key: pick("key", "ETCDCTL_KEY"),
    from,
  };
}

/** etcdctl accepts bare host:port endpoints and means http then; https if any TLS file is set. */
export function splitEndpoints(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function normalizeEndpoint(endpoint: string, tls: boolean): string {
  if (/^[a-z]+:\/\//i.test(endpoint)) return endpoint;
  return `${tls ? "https" : "http"}://${endpoint}`;
}

/** True when the flags alone say how to connect, so the API server need not be asked. */
export function flagsSuffice(flags: EtcdFlags): boolean {
  if (!flags.endpoints || flags.endpoints.length === 0) return false;
  const tls = flags.cacert !== undefined || flags.cert !== undefined;
  const urls = flags.endpoints.map((e) => normalizeEndpoint(e, tls));
  if (urls.every((u) => u.startsWith("http://"))) return true;
  return flags.cacert !== undefined && flags.cert !== undefined && flags.key !== undefined;
}

export class DiscoveryError extends Error {}

/**
 * The connection to use. `readable` says whether a candidate file can be read here; the first
 * readable client certificate pair wins, else the first one found (so the error names it).
 */
export function resolveConnection(
  flags: EtcdFlags & { from?: Record<string, string> },
  etcdPods: readonly EtcdMemberPod[],
  apiservers: readonly ApiserverEtcd[],
  readable: (file: string) => boolean,
): EtcdConnection {
  const from = flags.from ?? {};
  const given = (flag: string, file: string | undefined): FileChoice | undefined =>
    file === undefined ? undefined : { path: file, from: from[flag] ?? `--${flag}` };

  let endpoints: string[];
  let endpointsFrom: string;
  if (flags.endpoints && flags.endpoints.length > 0) {
    endpoints = flags.endpoints;
    endpointsFrom = from.endpoints ?? "--endpoints";
  } else if (etcdPods.some((p) => p.clientUrls.length > 0)) {
    endpoints = unique(etcdPods.flatMap((p) => p.clientUrls));
    endpointsFrom = `etcd mirror pods ${etcdPods.map((p) => p.pod).join(", ")}`;
  } else if (apiservers.some((a) => a.servers.length > 0)) {
    endpoints = unique(apiservers.flatMap((a) => a.servers));
    endpointsFrom = `--etcd-servers of ${apiservers.map((a) => a.pod).join(", ")}`;
  } else {
    throw new DiscoveryError(
      "found no etcd: no etcd mirror pods (kube-system, component=etcd) and no kube-apiserver --etcd-servers",
    );
  }

  let ca = given("cacert", flags.cacert);
  if (ca === undefined) {
    const pod = etcdPods.find((p) => p.trustedCaFile);
    const api = apiservers.find((a) => a.caFile);
    if (pod?.trustedCaFile)
      ca = { path: pod.trustedCaFile, from: `--trusted-ca-file of ${pod.pod}`, node: pod.node };
    else if (api?.caFile) ca = { path: api.caFile, from: `--etcd-cafile of ${api.pod}`, node: api.node };
  }

  let cert = given("cert", flags.cert);
  let key = given("key", flags.key);
  if (cert === undefined || key === undefined) {
    const candidates = clientCandidates(etcdPods, apiservers);
    const chosen = candidates.find((c) => readable(c.cert.path) && readable(c.key.path)) ?? candidates[0];
    cert ??= chosen?.cert;
    key ??= chosen?.key;
  }
  const tls = ca !== undefined || cert !== undefined;
  return { endpoints: endpoints.map((e) => normalizeEndpoint(e, tls)), endpointsFrom, ca, cert, key };
}

/** kubeadm's etcd client certificates beside the etcd pod's own, then kube-apiserver's. */
function clientCandidates(
  etcdPods: readonly EtcdMemberPod[],
  apiservers: readonly ApiserverEtcd[],
): { cert: FileChoice; key: FileChoice }[] {
  const out: { cert: FileChoice; key: FileChoice }[] = [];
  const pair = (base: string, from: string, node: string) => ({
    cert: { path: `${base}.crt`, from, node },
    key: { path: `${base}.key`, from, node },
  });
  for (const pod of etcdPods) {
    const anchor = pod.certFile ?? pod.trustedCaFile;
    if (anchor === undefined) continue;
    const etcdDir = path.dirname(anchor);
    const which = pod.certFile ? "--cert-file" : "--trusted-ca-file";
    const from = `kubeadm layout beside ${which} of ${pod.pod}`;
    out.push(pair(path.join(etcdDir, "healthcheck-client"), from, pod.node));
    out.push(pair(path.join(path.dirname(etcdDir), "apiserver-etcd-client"), from, pod.node));
  }
  for (const api of apiservers) {
    if (api.certFile && api.keyFile)
      out.push({
        cert: { path: api.certFile, from: `--etcd-certfile of ${api.pod}`, node: api.node },
        key: { path: api.keyFile, from: `--etcd-keyfile of ${api.pod}`, node: api.node },
      });
  }
  const seen = new Set<string>();
  return out.filter((c) => !seen.has(c.cert.path) && seen.add(c.cert.path));
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** "the etcd CA /etc/.../ca.crt (--trusted-ca-file of etcd-cp-1, on node cp-1)" */
export function describeFile(role: string, f: FileChoice): string {
  return `${role} ${f.path} (${f.from}${f.node ? `, on node ${f.node}` : ""})`;
}
