// A binary-install cluster, made the way the operators' guides make one (no kubeadm, no static
// pods, no mirror pods): a cfssl PKI with the guides' file names under /etc/kubernetes/cert and
// /etc/etcd/ssl, a 3-member etcd whose members each get long flags in a systemd unit and ETCD_*
// settings in the unit's EnvironmentFile, and kube-apiserver, kube-controller-manager and
// kube-scheduler started from flags alone. Every node's files live under <root>/nodes/<name> and
// are mounted at their real paths (and the binaries at /opt/k8s/bin) in the process's private
// mount namespace, so /proc/<pid>/cmdline reads exactly like a real node's.

import { execFile as execFileCb } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { copyFile, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { caConfig, cfssl, csr } from "./cfssl.js";
import { claimBlock, type ExecResult, kubectl, requireNetns } from "./cluster.js";
import { controlPlaneBin } from "./controlplane-bin.js";
import { inPrivateMounts } from "./kubeadm.js";
import { writeKubeconfig } from "./kubeconfig-file.js";
import { addNodeAddress } from "./kubelet.js";
import { type OwnNetwork, ownNetwork } from "./own-network.js";
import { httpsGet, type ManagedProcess, startProcess, stopProcess, waitFor } from "./process.js";

/** What the guides' kube-apiserver uses; the first address, 10.64.0.1, is the kubernetes Service. */
export const BINARY_SERVICE_CIDR = "10.64.0.0/16";
export const BINARY_SERVICE_IP = "10.64.0.1";
export const BINARY_POD_CIDR = "172.30.0.0/16";
export const BINARY_DNS_IP = "10.64.0.2";
const BIN_DIR = "/opt/k8s/bin";
const CERT = "/etc/kubernetes/cert";
const ETCD_SSL = "/etc/etcd/ssl";

export interface BinaryClusterOptions {
  /** S6: kubernetes.pem made for 10.96.0.1 while --service-cluster-ip-range gives 10.64.0.1. */
  serviceIpSanMistake?: boolean;
  /** etcd.pem made without the third member's address. */
  etcdSanMissingMember?: boolean;
  /**
   * m1's kubelet client certificate (kubelet-client-current.pem under its --cert-dir
   * /etc/kubernetes/cert) has expired: the kubelet runs on, refused by the API server (S5).
   */
  expiredKubeletClient?: boolean;
  /** --kubelet-client-certificate signed by the front-proxy CA, which the kubelets do not trust. */
  kubeletClientFromOtherCa?: boolean;
}

export type BinaryComponent =
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kubelet"
  | "kube-proxy";

export interface BinaryNode {
  name: string;
  ip: string;
  /** The node's filesystem: etc/kubernetes, etc/etcd, etc/systemd/system, var/lib/etcd. */
  root: string;
}

export interface EtcdMember {
  name: string;
  node: BinaryNode;
  /** The member's systemd unit, on the node (/etc/systemd/system/etcd.service). */
  unit: string;
  clientUrl: string;
  peerUrl: string;
  process: ManagedProcess | undefined;
}

export interface BinaryCluster {
  root: string;
  bin: string;
  block: number;
  /**
   * m1 runs the API server, controller-manager, scheduler, a kubelet and kube-proxy; m1..m3 each
   * run an etcd member.
   */
  nodes: BinaryNode[];
  server: string;
  /** On the host: the guides' kubectl.kubeconfig (admin, system:masters). */
  adminKubeconfig: string;
  /** On the host: the CSR JSON files and every certificate cfssl made, as in the guides' /opt/k8s/work. */
  work: string;
  etcd: EtcdMember[];
  processes: Record<BinaryComponent, ManagedProcess | undefined>;
  /** The path on the host of a file on a node, e.g. file(m1, "/etc/kubernetes/cert/ca.pem"). */
  file(node: BinaryNode, onNode: string): string;
  kubectl(args: string[], opts?: { input?: string }): Promise<ExecResult>;
  startEtcd(member: EtcdMember): void;
  stopEtcd(member: EtcdMember): Promise<void>;
  /**
   * What `systemctl VERB UNIT` does on a node here (the env is systemd for its processes): etcd.service
   * is the node's member; the control plane, the kubelet and kube-proxy run on m1. Returns false
   * for a unit this env does not run.
   */
  systemctl(node: BinaryNode, verb: "start" | "stop" | "restart", unit: string): Promise<boolean>;
  /** `nft list ruleset` in kube-proxy's network namespace: the rules it programmed. */
  kubeProxyRules(): Promise<string>;
  /** Runs argv on a node, as root in a shell there would (its files at their paths, /opt/k8s/bin first on PATH). */
  exec(node: BinaryNode, argv: string[], cwd?: string): Promise<ExecResult>;
  stop(): Promise<void>;
}

/** The mounts a node's processes see: its own files at their real paths, the binaries at /opt/k8s/bin. */
const NODE_MOUNTS = ["etc/kubernetes", "etc/etcd", "etc/systemd/system", "var/lib/etcd", "var/lib/kubelet"];

function onBinaryNode(nodeRoot: string, bin: string, argv: string[], network?: OwnNetwork): string[] {
  for (const d of [...NODE_MOUNTS, BIN_DIR.slice(1)]) mkdirSync(`/${d}`, { recursive: true });
  const mounts = NODE_MOUNTS.map((d) => `mount --bind "$0/${d}" /${d}`).join(" && ");
  const onNode = inPrivateMounts(`${mounts} && mount --bind "$1" ${BIN_DIR} && cd / && shift && exec "$@"`, [
    nodeRoot,
    bin,
    ...argv,
  ]);
  return network ? network.wrap(onNode) : onNode;
}

/** A systemd unit as the guides write it: the flags on ExecStart, one per line. */
function unitFile(description: string, argv: string[], environmentFile?: string): string {
  return [
    "[Unit]",
    `Description=${description}`,
    "After=network.target",
    "",
    "[Service]",
    ...(environmentFile ? [`EnvironmentFile=-${environmentFile}`] : []),
    `ExecStart=${argv.join(" \\\n  ")}`,
    "Restart=on-failure",
    "RestartSec=5",
    "LimitNOFILE=65536",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

function envFile(vars: Record<string, string>): string {
  return `${Object.entries(vars)
    .map(([k, v]) => `${k}="${v}"`)
    .join("\n")}\n`;
}

export async function startBinaryCluster(options: BinaryClusterOptions = {}): Promise<BinaryCluster> {
  const ns = requireNetns();
  const bin = await controlPlaneBin();
  const tools = await cfssl();
  const { block, release } = claimBlock(ns);
  const root = mkdtempSync(path.join(os.tmpdir(), "kubemend-binary-"));
  // The guides' /opt/k8s/bin: the binaries by their own names; the kubelet is the hollow kubelet's
  // main (the kubelet's code over kubemark's fake runtime), named kubelet as a node would have it.
  const nodeBin = path.join(root, "bin");
  await mkdir(nodeBin);
  for (const name of [
    "etcd",
    "etcdctl",
    "etcdutl",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kube-proxy",
  ])
    await symlink(path.join(bin, name), path.join(nodeBin, name));
  await symlink(path.join(bin, "hollow-kubelet"), path.join(nodeBin, "kubelet"));
  const logs = path.join(root, "logs");
  const work = path.join(root, "work");
  await mkdir(logs);
  await mkdir(work);
  const nodes: BinaryNode[] = [1, 2, 3].map((n) => ({
    name: `m${n}`,
    ip: `10.2.${block}.${150 + n}`,
    root: path.join(root, "nodes", `m${n}`),
  }));
  const [m1] = nodes as [BinaryNode, BinaryNode, BinaryNode];
  const server = `https://${m1.ip}:6443`;
  const file = (node: BinaryNode, onNode: string) => path.join(node.root, onNode);

  // The PKI, in the guides' work directory.
  await writeFile(path.join(work, "ca-config.json"), JSON.stringify(caConfig(), null, 2));
  const expiredConfig = path.join(work, "expired-config.json");
  await writeFile(expiredConfig, JSON.stringify(caConfig("1s"), null, 2));
  const ca = { ca: "ca.pem", caKey: "ca-key.pem", config: "ca-config.json", profile: "kubernetes" };
  await tools.initCa(work, "ca", { ...csr("kubernetes-ca", "k8s"), ca: { expiry: "876000h" } });
  await tools.initCa(work, "front-proxy-ca", {
    ...csr("kubernetes-front-proxy-ca", "k8s"),
    ca: { expiry: "876000h" },
  });
  const frontProxy = { ...ca, ca: "front-proxy-ca.pem", caKey: "front-proxy-ca-key.pem" };
  const serviceIp = options.serviceIpSanMistake ? "10.96.0.1" : BINARY_SERVICE_IP;
  const nodeIps = nodes.map((n) => n.ip);
  const etcdIps = options.etcdSanMissingMember ? nodeIps.slice(0, 2) : nodeIps;
  await Promise.all([
    tools.gencert(
      work,
      "kubernetes",
      csr("kubernetes-master", "k8s", [
        "127.0.0.1",
        ...nodeIps,
        serviceIp,
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster",
        "kubernetes.default.svc.cluster.local",
      ]),
      ca,
    ),
    tools.gencert(work, "etcd", csr("etcd", "k8s", ["127.0.0.1", ...etcdIps]), ca),
    tools.gencert(work, "admin", csr("admin", "system:masters", []), { ...ca, profile: "client" }),
    tools.gencert(
      work,
      "kube-controller-manager",
      csr("system:kube-controller-manager", "system:kube-controller-manager", ["127.0.0.1", ...nodeIps]),
      ca,
    ),
    tools.gencert(
      work,
      "kube-scheduler",
      csr("system:kube-scheduler", "system:kube-scheduler", ["127.0.0.1", ...nodeIps]),
      ca,
    ),
    tools.gencert(work, "proxy-client", csr("aggregator", "k8s", []), { ...frontProxy, profile: "client" }),
    tools.gencert(work, "kube-proxy", csr("system:kube-proxy", "k8s", []), { ...ca, profile: "client" }),
    tools.gencert(work, "kubelet", csr(`system:node:${m1.name}`, "system:nodes", [m1.name, m1.ip]), ca),
    tools.gencert(
      work,
      "kubelet-client",
      csr(`system:node:${m1.name}`, "system:nodes", []),
      options.expiredKubeletClient
        ? { ...ca, config: expiredConfig, profile: "client" }
        : { ...ca, profile: "client" },
    ),
  ]);
  const pem = (name: string) => readFile(path.join(work, name), "utf8");

  // Each node's files, where the guides put them.
  for (const node of nodes) {
    for (const d of NODE_MOUNTS) await mkdir(path.join(node.root, d), { recursive: true });
    await mkdir(file(node, CERT), { recursive: true });
    await mkdir(file(node, ETCD_SSL), { recursive: true });
    for (const f of ["ca.pem", "ca-key.pem", "kubernetes.pem", "kubernetes-key.pem"])
      await copyFile(path.join(work, f), file(node, `${CERT}/${f}`));
    for (const f of ["etcd.pem", "etcd-key.pem"])
      await copyFile(path.join(work, f), file(node, `${ETCD_SSL}/${f}`));
    await copyFile(path.join(work, "ca.pem"), file(node, `${ETCD_SSL}/ca.pem`));
  }
  for (const f of [
    "kubelet.pem",
    "kubelet-key.pem",
    "front-proxy-ca.pem",
    "proxy-client.pem",
    "proxy-client-key.pem",
    "kube-controller-manager.pem",
    "kube-controller-manager-key.pem",
    "kube-scheduler.pem",
    "kube-scheduler-key.pem",
    "kube-proxy.pem",
    "kube-proxy-key.pem",
  ])
    await copyFile(path.join(work, f), file(m1, `${CERT}/${f}`));
  // The kubelet's client certificate as its rotation keeps it: certificate and key in one dated
  // file under --cert-dir, kubelet-client-current.pem linking to it.
  const dated = "kubelet-client-2024-11-28-17-20-06.pem";
  const clientPair = (await pem("kubelet-client.pem")) + (await pem("kubelet-client-key.pem"));
  await writeFile(file(m1, `${CERT}/${dated}`), clientPair, { mode: 0o600 });
  await symlink(`${CERT}/${dated}`, file(m1, `${CERT}/kubelet-client-current.pem`));
  const caPem = await pem("ca.pem");
  const adminKubeconfig = path.join(root, "kubectl.kubeconfig");
  await writeKubeconfig(adminKubeconfig, {
    server,
    caPem,
    user: { certPem: await pem("admin.pem"), keyPem: await pem("admin-key.pem") },
    userName: "admin",
  });
  for (const [component, user] of [
    ["kube-controller-manager", "system:kube-controller-manager"],
    ["kube-scheduler", "system:kube-scheduler"],
  ] as const) {
    await writeKubeconfig(file(m1, `/etc/kubernetes/${component}.kubeconfig`), {
      server,
      caPem,
      user: { certPem: await pem(`${component}.pem`), keyPem: await pem(`${component}-key.pem`) },
      userName: user,
    });
  }

  await writeFile(
    file(m1, "/etc/kubernetes/kubelet.kubeconfig"),
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: kubernetes",
      "  cluster:",
      `    certificate-authority: ${CERT}/ca.pem`,
      `    server: ${server}`,
      "contexts:",
      "- name: default",
      "  context: {cluster: kubernetes, user: default-auth}",
      "current-context: default",
      "users:",
      "- name: default-auth",
      "  user:",
      `    client-certificate: ${CERT}/kubelet-client-current.pem`,
      `    client-key: ${CERT}/kubelet-client-current.pem`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  await writeFile(
    file(m1, "/etc/kubernetes/kubelet-config.yaml"),
    [
      "apiVersion: kubelet.config.k8s.io/v1beta1",
      "kind: KubeletConfiguration",
      `address: ${m1.ip}`,
      "authentication:",
      "  anonymous: {enabled: false}",
      "  webhook: {enabled: true}",
      `  x509: {clientCAFile: ${CERT}/ca.pem}`,
      "authorization: {mode: Webhook}",
      "cgroupDriver: systemd",
      `clusterDNS: [${BINARY_DNS_IP}]`,
      "clusterDomain: cluster.local",
      `tlsCertFile: ${CERT}/kubelet.pem`,
      `tlsPrivateKeyFile: ${CERT}/kubelet-key.pem`,
      "rotateCertificates: true",
      // A hollow node runs no containers: the host's cgroup version is not its concern.
      "failCgroupV1: false",
      "",
    ].join("\n"),
  );

  // kube-proxy as the guides run it: a kubeconfig with its certificate embedded, and a
  // KubeProxyConfiguration that names it. nftables mode, in a network namespace of its own.
  await writeKubeconfig(file(m1, "/etc/kubernetes/kube-proxy.kubeconfig"), {
    server,
    caPem,
    user: { certPem: await pem("kube-proxy.pem"), keyPem: await pem("kube-proxy-key.pem") },
    userName: "kube-proxy",
  });
  await writeFile(
    file(m1, "/etc/kubernetes/kube-proxy-config.yaml"),
    [
      "apiVersion: kubeproxy.config.k8s.io/v1alpha1",
      "kind: KubeProxyConfiguration",
      "clientConnection:",
      "  kubeconfig: /etc/kubernetes/kube-proxy.kubeconfig",
      `clusterCIDR: ${BINARY_POD_CIDR}`,
      `hostnameOverride: ${m1.name}`,
      "mode: nftables",
      // Its own network namespace may not set the host's conntrack table size.
      "conntrack: {maxPerCore: 0, min: 0}",
      "",
    ].join("\n"),
  );

  const processes: BinaryCluster["processes"] = {
    "kube-apiserver": undefined,
    "kube-controller-manager": undefined,
    "kube-scheduler": undefined,
    kubelet: undefined,
    "kube-proxy": undefined,
  };
  const initialCluster = nodes.map((n, i) => `etcd0${i + 1}=https://${n.ip}:2380`).join(",");
  const etcd: EtcdMember[] = nodes.map((node, i) => ({
    name: `etcd0${i + 1}`,
    node,
    unit: "/etc/systemd/system/etcd.service",
    clientUrl: `https://${node.ip}:2379`,
    peerUrl: `https://${node.ip}:2380`,
    process: undefined,
  }));
  const etcdEnv = (m: EtcdMember) => ({
    ETCD_DATA_DIR: "/var/lib/etcd/k8s-etcd",
    ETCD_INITIAL_CLUSTER: initialCluster,
    ETCD_INITIAL_CLUSTER_TOKEN: "k8s-etcd-cluster",
    ETCD_INITIAL_CLUSTER_STATE: "new",
    ETCD_LISTEN_METRICS_URLS: `http://${m.node.ip}:2381`,
  });
  const etcdArgv = (m: EtcdMember) => [
    `${BIN_DIR}/etcd`,
    `--name=${m.name}`,
    `--cert-file=${ETCD_SSL}/etcd.pem`,
    `--key-file=${ETCD_SSL}/etcd-key.pem`,
    `--trusted-ca-file=${ETCD_SSL}/ca.pem`,
    `--peer-cert-file=${ETCD_SSL}/etcd.pem`,
    `--peer-key-file=${ETCD_SSL}/etcd-key.pem`,
    `--peer-trusted-ca-file=${ETCD_SSL}/ca.pem`,
    "--peer-client-cert-auth",
    "--client-cert-auth",
    `--listen-peer-urls=${m.peerUrl}`,
    `--initial-advertise-peer-urls=${m.peerUrl}`,
    `--listen-client-urls=${m.clientUrl}`,
    `--advertise-client-urls=${m.clientUrl}`,
  ];
  for (const m of etcd) {
    await writeFile(file(m.node, "/etc/etcd/etcd.conf"), envFile(etcdEnv(m)));
    await writeFile(file(m.node, m.unit), unitFile("Etcd Server", etcdArgv(m), "/etc/etcd/etcd.conf"));
  }
  const etcdServers = etcd.map((m) => m.clientUrl).join(",");
  const kubeletClient = options.kubeletClientFromOtherCa ? "proxy-client" : "kubernetes";
  const argv: Record<BinaryComponent, string[]> = {
    "kube-apiserver": [
      `${BIN_DIR}/kube-apiserver`,
      `--advertise-address=${m1.ip}`,
      `--bind-address=${m1.ip}`,
      "--secure-port=6443",
      `--etcd-servers=${etcdServers}`,
      `--etcd-cafile=${CERT}/ca.pem`,
      `--etcd-certfile=${CERT}/kubernetes.pem`,
      `--etcd-keyfile=${CERT}/kubernetes-key.pem`,
      `--tls-cert-file=${CERT}/kubernetes.pem`,
      `--tls-private-key-file=${CERT}/kubernetes-key.pem`,
      `--client-ca-file=${CERT}/ca.pem`,
      `--kubelet-client-certificate=${CERT}/${kubeletClient}.pem`,
      `--kubelet-client-key=${CERT}/${kubeletClient}-key.pem`,
      "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
      `--service-account-key-file=${CERT}/ca.pem`,
      `--service-account-signing-key-file=${CERT}/ca-key.pem`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-cluster-ip-range=${BINARY_SERVICE_CIDR}`,
      "--service-node-port-range=30000-32767",
      "--authorization-mode=Node,RBAC",
      "--enable-bootstrap-token-auth",
      `--requestheader-client-ca-file=${CERT}/front-proxy-ca.pem`,
      "--requestheader-allowed-names=aggregator",
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-username-headers=X-Remote-User",
      `--proxy-client-cert-file=${CERT}/proxy-client.pem`,
      `--proxy-client-key-file=${CERT}/proxy-client-key.pem`,
      "--allow-privileged=true",
      "--event-ttl=168h",
    ],
    "kube-controller-manager": [
      `${BIN_DIR}/kube-controller-manager`,
      `--bind-address=${m1.ip}`,
      "--secure-port=10257",
      "--kubeconfig=/etc/kubernetes/kube-controller-manager.kubeconfig",
      "--authentication-kubeconfig=/etc/kubernetes/kube-controller-manager.kubeconfig",
      "--authorization-kubeconfig=/etc/kubernetes/kube-controller-manager.kubeconfig",
      `--tls-cert-file=${CERT}/kube-controller-manager.pem`,
      `--tls-private-key-file=${CERT}/kube-controller-manager-key.pem`,
      `--client-ca-file=${CERT}/ca.pem`,
      `--requestheader-client-ca-file=${CERT}/front-proxy-ca.pem`,
      `--cluster-signing-cert-file=${CERT}/ca.pem`,
      `--cluster-signing-key-file=${CERT}/ca-key.pem`,
      `--root-ca-file=${CERT}/ca.pem`,
      `--service-account-private-key-file=${CERT}/ca-key.pem`,
      `--service-cluster-ip-range=${BINARY_SERVICE_CIDR}`,
      `--cluster-cidr=${BINARY_POD_CIDR}`,
      "--allocate-node-cidrs=true",
      "--controllers=*,bootstrapsigner,tokencleaner",
      "--use-service-account-credentials=true",
      "--leader-elect=true",
    ],
    "kube-scheduler": [
      `${BIN_DIR}/kube-scheduler`,
      `--bind-address=${m1.ip}`,
      "--secure-port=10259",
      "--kubeconfig=/etc/kubernetes/kube-scheduler.kubeconfig",
      "--authentication-kubeconfig=/etc/kubernetes/kube-scheduler.kubeconfig",
      "--authorization-kubeconfig=/etc/kubernetes/kube-scheduler.kubeconfig",
      `--tls-cert-file=${CERT}/kube-scheduler.pem`,
      `--tls-private-key-file=${CERT}/kube-scheduler-key.pem`,
      `--client-ca-file=${CERT}/ca.pem`,
      `--requestheader-client-ca-file=${CERT}/front-proxy-ca.pem`,
      "--leader-elect=true",
    ],
    kubelet: [
      `${BIN_DIR}/kubelet`,
      "--config=/etc/kubernetes/kubelet-config.yaml",
      "--kubeconfig=/etc/kubernetes/kubelet.kubeconfig",
      `--cert-dir=${CERT}`,
      "--root-dir=/var/lib/kubelet",
      `--hostname-override=${m1.name}`,
      `--node-ip=${m1.ip}`,
    ],
    "kube-proxy": [`${BIN_DIR}/kube-proxy`, "--config=/etc/kubernetes/kube-proxy-config.yaml"],
  };
  for (const [component, command] of Object.entries(argv))
    await writeFile(file(m1, `/etc/systemd/system/${component}.service`), unitFile(component, command));

  const startEtcd = (m: EtcdMember) => {
    const command = etcdArgv(m);
    m.process = startProcess(
      m.name,
      command,
      path.join(logs, `${m.name}.log`),
      onBinaryNode(m.node.root, nodeBin, command),
      {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        ...etcdEnv(m),
      },
    );
  };
  const stopEtcd = async (m: EtcdMember) => {
    if (m.process) await stopProcess(m.process);
    m.process = undefined;
  };
  const proxyNetwork = ownNetwork(block);
  const startComponent = async (component: BinaryComponent) => {
    const command = argv[component];
    const proxy = component === "kube-proxy";
    const proc = startProcess(
      component,
      command,
      path.join(logs, `${component}.log`),
      onBinaryNode(m1.root, nodeBin, command, proxy ? proxyNetwork : undefined),
    );
    processes[component] = proc;
    if (proxy) await proxyNetwork.connect(proc);
  };
  const kubeProxyRules = async () => {
    const proc = processes["kube-proxy"];
    return proc ? proxyNetwork.exec(proc, ["nft", "list", "ruleset"]) : "";
  };
  const stop = async () => {
    await Promise.all(Object.values(processes).map((p) => (p ? stopProcess(p) : undefined)));
    await Promise.all(etcd.map(stopEtcd));
    release();
    if (!process.env.KUBEMEND_KEEP_CLUSTER) rmSync(root, { recursive: true, force: true });
  };
  const exitedEarly = () => {
    for (const p of [...Object.values(processes), ...etcd.map((m) => m.process)])
      if (p && p.child.exitCode !== null) return `${p.name} exited with ${p.child.exitCode}; see ${p.log}`;
    return undefined;
  };

  try {
    for (const m of etcd) startEtcd(m);
    await startComponent("kube-apiserver");
    const tls = { ca: caPem, cert: await pem("admin.pem"), key: await pem("admin-key.pem") };
    await waitFor(
      "kube-apiserver /readyz",
      async () => ((await httpsGet(`${server}/readyz`, tls)).status === 200 ? true : undefined),
      { timeoutMs: 90_000, failFast: exitedEarly },
    );
    await startComponent("kube-controller-manager");
    await startComponent("kube-scheduler");
    const insecure = { rejectUnauthorized: false };
    await waitFor(
      "kube-controller-manager and kube-scheduler /healthz",
      async () => {
        const [kcm, sched] = await Promise.all([
          httpsGet(`https://${m1.ip}:10257/healthz`, insecure),
          httpsGet(`https://${m1.ip}:10259/healthz`, insecure),
        ]);
        return kcm.status === 200 && sched.status === 200 ? true : undefined;
      },
      { timeoutMs: 60_000, failFast: exitedEarly },
    );
    await addNodeAddress(m1.ip);
    // The guides' RBAC: the API server (CN kubernetes-master) may use the kubelet API.
    await kubectl(adminKubeconfig, [
      "create",
      "clusterrolebinding",
      "kube-apiserver:kubelet-apis",
      "--clusterrole=system:kubelet-api-admin",
      "--user=kubernetes-master",
    ]);
    await startComponent("kubelet");
    await startComponent("kube-proxy");
    // A kubelet with an expired client certificate never registers: that is the scenario. Nor
    // does kube-proxy get going then: it waits for its Node object first.
    if (!options.expiredKubeletClient) {
      await waitFor(
        `node ${m1.name} Ready`,
        async () => {
          const r = await kubectl(adminKubeconfig, [
            "get",
            "node",
            m1.name,
            "-o",
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
          ]);
          return r.stdout === "True" ? true : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 500, failFast: exitedEarly },
      );
      // kube-proxy is working once the kubernetes Service's address is in its rules.
      await waitFor(
        "kube-proxy's nftables rules for the kubernetes Service",
        async () => ((await kubeProxyRules()).includes(BINARY_SERVICE_IP) ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 250, failFast: exitedEarly },
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const systemctl: BinaryCluster["systemctl"] = async (node, verb, unit) => {
    const name = unit.replace(/\.service$/, "");
    if (name === "etcd") {
      const m = etcd.find((x) => x.node === node);
      if (!m) return false;
      if (verb !== "start") await stopEtcd(m);
      if (verb !== "stop") startEtcd(m);
      return true;
    }
    if (!(name in processes) || node !== m1) return false;
    const component = name as BinaryComponent;
    const proc = processes[component];
    if (verb !== "start" && proc) await stopProcess(proc);
    if (verb !== "stop") await startComponent(component);
    return true;
  };
  const exec: BinaryCluster["exec"] = (node, argv, cwd = "/") =>
    new Promise((resolve) => {
      const wrapped = onBinaryNode(node.root, nodeBin, ["sh", "-c", 'cd "$0" && exec "$@"', cwd, ...argv]);
      execFileCb(
        wrapped[0] as string,
        wrapped.slice(1),
        { env: { PATH: `${BIN_DIR}:${process.env.PATH ?? "/usr/bin:/bin"}` }, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === "number"
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  return {
    root,
    bin,
    block,
    nodes,
    server,
    adminKubeconfig,
    work,
    etcd,
    processes,
    file,
    kubectl: (args, opts) => kubectl(adminKubeconfig, args, opts?.input),
    startEtcd,
    stopEtcd,
    systemctl,
    kubeProxyRules,
    exec,
    stop,
  };
}
