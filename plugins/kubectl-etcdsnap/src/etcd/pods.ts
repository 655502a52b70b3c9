// What the control-plane mirror pods say about etcd: pure parsing of their command lines.
import { listFlag, parseFlags } from "@kubemend/lib/node/flags";

export interface PodLike {
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { nodeName?: string; containers?: { name?: string; command?: string[]; args?: string[] }[] };
}

/** One etcd member as its static pod runs it. */
export interface EtcdMemberPod {
  pod: string;
  node: string;
  name: string;
  clientUrls: string[];
  peerUrls: string[];
  dataDir: string;
  initialCluster?: string;
  initialClusterToken?: string;
  trustedCaFile?: string;
  certFile?: string;
}

/** kube-apiserver's view of etcd: its --etcd-* flags. */
export interface ApiserverEtcd {
  pod: string;
  node: string;
  servers: string[];
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** A container's flags (command, then args), as Go's pflag reads them. */
export function podFlags(pod: PodLike, container?: string): Map<string, string> {
  const c =
    pod.spec?.containers?.find((x) => container === undefined || x.name === container) ??
    pod.spec?.containers?.[0];
  return parseFlags([...(c?.command ?? []), ...(c?.args ?? [])]);
}

const list = listFlag;

/** Client URLs another host can reach: advertised ones first, then non-wildcard listen URLs. */
function reachableClientUrls(flags: Map<string, string>, pod: PodLike): string[] {
  const advertised = list(
    flags.get("advertise-client-urls") ??
      pod.metadata.annotations?.["kubeadm.kubernetes.io/etcd.advertise-client-urls"],
  );
  if (advertised.length > 0) return advertised;
  return list(flags.get("listen-client-urls")).filter((u) => !/\/\/(0\.0\.0\.0|\[::\])(:|$)/.test(u));
}

export function parseEtcdPod(pod: PodLike): EtcdMemberPod {
  const flags = podFlags(pod, "etcd");
  return {
    pod: pod.metadata.name,
    node: pod.spec?.nodeName ?? "",
    name: flags.get("name") ?? "default",
    clientUrls: reachableClientUrls(flags, pod),
    peerUrls: list(flags.get("initial-advertise-peer-urls")),
    dataDir: flags.get("data-dir") ?? "/var/lib/etcd",
    initialCluster: flags.get("initial-cluster"),
    initialClusterToken: flags.get("initial-cluster-token"),
    trustedCaFile: flags.get("trusted-ca-file"),
    certFile: flags.get("cert-file"),
  };
}

export function parseApiserverPod(pod: PodLike): ApiserverEtcd {
  const flags = podFlags(pod, "kube-apiserver");
  return {
    pod: pod.metadata.name,
    node: pod.spec?.nodeName ?? "",
    servers: list(flags.get("etcd-servers")),
    caFile: flags.get("etcd-cafile"),
    certFile: flags.get("etcd-certfile"),
    keyFile: flags.get("etcd-keyfile"),
  };
}
