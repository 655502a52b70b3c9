// Real kubelets for the test clusters: the hollow-kubelet main (the kubelet's own code over
// kubemark's fake CRI, cAdvisor and mounts), one process per node, configured the way `kubeadm
// init` and `kubeadm join` configure a kubelet: the KubeletConfiguration that kubeadm uploaded to
// kube-system/kubelet-config, kubeadm's kubelet.conf on the control-plane node, and TLS bootstrap
// with the cluster's bootstrap token on the others.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { parseCsr } from "@kubemend/lib/x509/csr";
import { dump, load } from "js-yaml";
import { clientFor, type TestCluster } from "./cluster.js";
import { onNode } from "./kubeadm.js";
import { writeKubeconfig } from "./kubeconfig-file.js";
import { type ManagedProcess, startProcess, stopProcess, waitFor } from "./process.js";

const run = promisify(execFile);

export type ServingMode = "legacy" | "serverTLSBootstrap";

export interface KubeletSpec {
  /** The node's number in the cluster's block, at cluster.nodeIp(index); 1 is the control-plane node. */
  index: number;
  /** Default: cluster.nodeName for index 1, else worker-<block>-<index>. */
  name?: string;
  /**
   * legacy: the self-signed serving certificate without IP SANs the kubelet makes when it has
   * none (S2); serverTLSBootstrap: the kubelet files kubelet-serving CSRs. Default legacy.
   */
  serving?: ServingMode;
  /** Extra KubeletConfiguration fields. */
  config?: Record<string, unknown>;
  /** Wait until the Node is Ready (default); false returns once the process runs (TLS bootstrap may hang). */
  wait?: boolean;
}

export interface Kubelet {
  name: string;
  ip: string;
  /** https://<ip>:10250 */
  kubeletUrl: string;
  /** The node's /etc/kubernetes: kubelet.conf (and bootstrap-kubelet.conf on workers). */
  etcDir: string;
  /** The kubelet's --cert-dir: kubelet.crt/.key (legacy) or kubelet-server-current.pem, kubelet-client-current.pem. */
  pkiDir: string;
  /** kubelet.conf as the kubelet uses it. */
  kubeconfig: string;
  log: string;
  process(): ManagedProcess;
  /** A client with the kubelet's own identity (system:node:<name>), from its kubelet.conf. */
  client(): Promise<KubeClient>;
  /** Edit the KubeletConfiguration and restart, as an operator does (the S2 fix: serverTLSBootstrap). */
  reconfigure(changes: Record<string, unknown>): Promise<void>;
  /** `systemctl restart kubelet`: the same flags and files; a certificate on disk is loaded anew. */
  restart(): Promise<void>;
  /** The Node object stays and goes NotReady, as a stopped kubelet's does. */
  stop(): Promise<void>;
}

const KUBELET_CONFIG = {
  group: "",
  version: "v1",
  resource: "configmaps",
  namespace: "kube-system",
  name: "kubelet-config",
};

/** The KubeletConfiguration kubeadm uploaded for every kubelet of the cluster. */
async function clusterKubeletConfig(cluster: TestCluster): Promise<Record<string, unknown>> {
  const admin = await cluster.admin();
  const map = await admin.get<{ data?: Record<string, string> }>(KUBELET_CONFIG);
  const text = map.data?.kubelet;
  if (!text) throw new Error("kube-system/kubelet-config has no kubelet key: did kubeadm upload-config run?");
  return load(text) as Record<string, unknown>;
}

/** The kubelet refuses a node IP that only the namespace's AnyIP route answers for. */
export async function addNodeAddress(ip: string): Promise<void> {
  try {
    await run("ip", ["addr", "add", `${ip}/32`, "dev", "lo"]);
  } catch (err) {
    // Already there: an earlier cluster of this block in the namespace added it (iproute2 says
    // "File exists" or "Address already assigned" depending on its version).
    if (!/File exists|already assigned/.test(String((err as { stderr?: string }).stderr))) throw err;
  }
}

export async function startKubelet(cluster: TestCluster, spec: KubeletSpec): Promise<Kubelet> {
  const controlPlane = spec.index === 1;
  const name = spec.name ?? (controlPlane ? cluster.nodeName : `worker-${cluster.block}-${spec.index}`);
  const ip = cluster.nodeIp(spec.index);
  await addNodeAddress(ip);
  // The control-plane node's /etc/kubernetes is kubeadm's; a worker gets what `kubeadm join` writes.
  const etcDir = controlPlane ? cluster.root : path.join(cluster.root, "nodes", name, "etc-kubernetes");
  const varDir = path.join(cluster.root, "nodes", name, "kubelet");
  const pkiDir = path.join(varDir, "pki");
  mkdirSync(pkiDir, { recursive: true });
  mkdirSync(etcDir, { recursive: true });
  if (!controlPlane)
    await writeKubeconfig(path.join(etcDir, "bootstrap-kubelet.conf"), {
      server: cluster.server,
      caPem: cluster.pki.ca.certPem,
      user: { token: cluster.bootstrapToken },
      userName: "tls-bootstrap-token-user",
    });

  const config = {
    ...(await clusterKubeletConfig(cluster)),
    rotateCertificates: true,
    // A hollow node runs no containers: the host's cgroup version is not its concern.
    failCgroupV1: false,
    serverTLSBootstrap: (spec.serving ?? "legacy") === "serverTLSBootstrap",
    // The control-plane kubelet runs kubeadm's static pods; the others watch an empty directory.
    staticPodPath: controlPlane ? "/etc/kubernetes/manifests" : path.join(varDir, "manifests"),
    ...spec.config,
  };
  mkdirSync(path.join(varDir, "manifests"), { recursive: true });
  const configFile = path.join(varDir, "config.yaml");
  writeFileSync(configFile, dump(config));

  const bin = path.join(cluster.bin, "hollow-kubelet");
  const command = [
    "kubelet",
    `--config=${configFile}`,
    "--kubeconfig=/etc/kubernetes/kubelet.conf",
    ...(controlPlane ? [] : ["--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf"]),
    `--cert-dir=${pkiDir}`,
    `--root-dir=${varDir}`,
    `--hostname-override=${name}`,
    `--node-ip=${ip}`,
  ];
  const log = path.join(cluster.root, "logs", `kubelet-${name}.log`);
  let proc: ManagedProcess;
  const start = () => {
    proc = startProcess(`kubelet ${name}`, command, log, onNode(etcDir, [bin, ...command.slice(1)]));
  };
  start();
  const kubelet: Kubelet = {
    name,
    ip,
    kubeletUrl: `https://${ip}:10250`,
    etcDir,
    pkiDir,
    kubeconfig: path.join(etcDir, "kubelet.conf"),
    log,
    process: () => proc,
    client: () => clientFor(path.join(etcDir, "kubelet.conf")),
    reconfigure: async (changes) => {
      writeFileSync(configFile, dump({ ...(load(readFileSync(configFile, "utf8")) as object), ...changes }));
      await kubelet.restart();
    },
    restart: async () => {
      await stopProcess(proc);
      start();
    },
    stop: () => stopProcess(proc),
  };
  if (spec.wait === false) return kubelet;
  try {
    await waitForNodeReady(cluster, kubelet);
    if (controlPlane) await cluster.kubeadm.run(["init", "phase", "mark-control-plane"]);
    return kubelet;
  } catch (err) {
    await kubelet.stop();
    throw err;
  }
}

interface NodeView {
  status?: { conditions?: { type: string; status: string }[] };
}

export async function waitForNodeReady(
  cluster: TestCluster,
  kubelet: Kubelet,
  timeoutMs = 90_000,
): Promise<void> {
  const admin = await cluster.admin();
  const ref = { group: "", version: "v1", resource: "nodes", name: kubelet.name };
  await waitFor(
    `node ${kubelet.name} Ready`,
    async () => {
      const node = await admin.get<NodeView>(ref);
      return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")
        ? true
        : undefined;
    },
    {
      timeoutMs,
      intervalMs: 500,
      failFast: () => {
        const child = kubelet.process().child;
        if (child.exitCode === null) return undefined;
        const lines = readFileSync(kubelet.log, "utf8").trim().split("\n").slice(-3).join(" | ");
        return `the kubelet exited with ${child.exitCode}: ${lines}`;
      },
    },
  );
}

interface CsrView {
  metadata: { name: string; creationTimestamp?: string };
  spec: { signerName: string; username?: string; request: string };
  status?: { conditions?: { type: string }[]; certificate?: string };
}

const CSRS = { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" };

/** The CSRs a node's kubelet filed, oldest first: its kubelet-serving ones, or its TLS-bootstrap client ones. */
export async function csrsOf(
  cluster: TestCluster,
  node: string,
  kind: "serving" | "client",
  { pendingOnly = false } = {},
): Promise<string[]> {
  const admin = await cluster.admin();
  const found: CsrView[] = [];
  for await (const csr of admin.list<CsrView>(CSRS)) {
    if (pendingOnly && csr.status?.conditions?.length) continue;
    if (kind === "serving") {
      if (
        csr.spec.signerName === "kubernetes.io/kubelet-serving" &&
        csr.spec.username === `system:node:${node}`
      )
        found.push(csr);
    } else if (csr.spec.signerName === "kubernetes.io/kube-apiserver-client-kubelet") {
      const parsed = parseCsr(Buffer.from(csr.spec.request, "base64").toString());
      if (parsed.ok && parsed.csr.subject.cn === `system:node:${node}`) found.push(csr);
    }
  }
  return found
    .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)))
    .map((c) => c.metadata.name);
}
