import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { KubeClient } from "@kubemend/lib/kube/client";
import { loadKubeConfig } from "@kubemend/lib/kube/kubeconfig";
import { controlPlaneBin } from "./controlplane-bin.js";
import { applyKubeadmObjects, BOOTSTRAP_TOKEN } from "./kubeadm-objects.js";
import { type Pki, type PkiOptions, writeKubeadmPki } from "./pki.js";
import { httpsGet, type ManagedProcess, startProcess, stopProcess, waitFor } from "./process.js";

const run = promisify(execFile);

export const SERVICE_CIDR = "10.96.0.0/12";
export const KUBERNETES_SERVICE_IP = "10.96.0.1";
export const CLUSTER_DOMAIN = "cluster.local";

export interface ClusterOptions {
  /** Scenario variants of the PKI: validity, SANs left out or added. */
  pki?: Pick<PkiOptions, "validity" | "extraApiServerSans" | "omitApiServerSans" | "now">;
  /** Use the newest etcd 3.5 instead of 3.6. */
  legacyEtcd?: boolean;
  /** Start kube-controller-manager and kube-scheduler (default true). */
  controllers?: boolean;
  /** kube-controller-manager controllers to leave off, by name or alias ("root-ca-cert-publisher"). */
  disableControllers?: string[];
}

/** A running test cluster: real etcd, kube-apiserver, kube-controller-manager, kube-scheduler. */
export interface TestCluster {
  root: string;
  bin: string;
  /** The /24 block of this cluster inside the network namespace: 10.2.<block>.x. */
  block: number;
  nodeName: string;
  controlPlaneIp: string;
  /** Address of a load balancer in front of the API server that is NOT in its certificate (S3). */
  loadBalancerIp: string;
  server: string;
  pki: Pki;
  adminKubeconfig: string;
  bootstrapToken: string;
  etcd: { endpoint: string; caFile: string; certFile: string; keyFile: string };
  processes: Record<
    "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler",
    ManagedProcess | undefined
  >;
  /** The address of the Nth stand-in node (1 is the control-plane node). */
  nodeIp(n: number): string;
  /** The Nth pod address of this cluster. */
  podIp(n: number): string;
  admin(): Promise<KubeClient>;
  kubectl(args: string[], opts?: { kubeconfig?: string; input?: string }): Promise<ExecResult>;
  stop(): Promise<void>;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

function requireNetns(): string {
  const ns = process.env.KUBEMEND_NETNS;
  if (!ns)
    throw new Error(
      "the test control plane runs inside a network namespace: run it through scripts/in-netns.sh (make test and make demo do)",
    );
  return ns;
}

/** Claims a free /24 block in this namespace; the directory is the lock. */
function claimBlock(ns: string): { block: number; release(): void } {
  const dir = path.join(os.tmpdir(), `${ns}-blocks`);
  mkdirSync(dir, { recursive: true });
  const start = 1 + (process.pid % 200);
  for (let i = 0; i < 250; i++) {
    const block = 1 + ((start + i) % 250);
    try {
      mkdirSync(path.join(dir, String(block)));
      return {
        block,
        release: () => rmSync(path.join(dir, String(block)), { recursive: true, force: true }),
      };
    } catch {
      // taken by another cluster in this namespace
    }
  }
  throw new Error(`no free address block in ${dir}`);
}

export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const ns = requireNetns();
  const bin = await controlPlaneBin();
  const etcdBin = options.legacyEtcd ? path.join(bin, "etcd-legacy") : bin;
  const { block, release } = claimBlock(ns);
  const root = mkdtempSync(path.join(os.tmpdir(), "kubemend-cluster-"));
  const logs = path.join(root, "logs");
  mkdirSync(logs);
  const ip = `10.2.${block}.151`;
  const nodeName = `cp-${block}`;
  const server = `https://${ip}:6443`;
  const pki = await writeKubeadmPki({
    root,
    apiServerUrl: server,
    nodeName,
    advertiseAddress: ip,
    serviceCidr: SERVICE_CIDR,
    clusterDomain: CLUSTER_DOMAIN,
    ...options.pki,
  });
  const p = (name: string) => path.join(pki.pkiDir, name);
  const processes: TestCluster["processes"] = {
    etcd: undefined,
    "kube-apiserver": undefined,
    "kube-controller-manager": undefined,
    "kube-scheduler": undefined,
  };
  const exitedEarly = () => {
    for (const proc of Object.values(processes))
      if (proc && proc.child.exitCode !== null)
        return `${proc.name} exited with ${proc.child.exitCode}; log: ${tail(proc.log)}`;
    return undefined;
  };
  const stop = async () => {
    await Promise.all(
      ["kube-scheduler", "kube-controller-manager", "kube-apiserver"].map(async (name) => {
        const proc = processes[name as keyof TestCluster["processes"]];
        if (proc) await stopProcess(proc);
      }),
    );
    if (processes.etcd) await stopProcess(processes.etcd);
    release();
    if (!process.env.KUBEMEND_KEEP_CLUSTER) rmSync(root, { recursive: true, force: true });
  };

  try {
    processes.etcd = startProcess(
      "etcd",
      [
        path.join(etcdBin, "etcd"),
        `--name=${nodeName}`,
        `--data-dir=${path.join(root, "etcd")}`,
        `--advertise-client-urls=https://${ip}:2379`,
        `--listen-client-urls=https://${ip}:2379`,
        `--initial-advertise-peer-urls=https://${ip}:2380`,
        `--listen-peer-urls=https://${ip}:2380`,
        `--initial-cluster=${nodeName}=https://${ip}:2380`,
        `--listen-metrics-urls=http://${ip}:2381`,
        `--cert-file=${p("etcd/server.crt")}`,
        `--key-file=${p("etcd/server.key")}`,
        "--client-cert-auth=true",
        `--trusted-ca-file=${p("etcd/ca.crt")}`,
        `--peer-cert-file=${p("etcd/peer.crt")}`,
        `--peer-key-file=${p("etcd/peer.key")}`,
        "--peer-client-cert-auth=true",
        `--peer-trusted-ca-file=${p("etcd/ca.crt")}`,
        "--snapshot-count=10000",
      ],
      path.join(logs, "etcd.log"),
    );
    processes["kube-apiserver"] = startProcess(
      "kube-apiserver",
      [
        path.join(bin, "kube-apiserver"),
        `--advertise-address=${ip}`,
        `--bind-address=${ip}`,
        "--secure-port=6443",
        "--allow-privileged=true",
        "--authorization-mode=Node,RBAC",
        `--client-ca-file=${p("ca.crt")}`,
        "--enable-admission-plugins=NodeRestriction",
        "--enable-bootstrap-token-auth=true",
        `--etcd-cafile=${p("etcd/ca.crt")}`,
        `--etcd-certfile=${p("apiserver-etcd-client.crt")}`,
        `--etcd-keyfile=${p("apiserver-etcd-client.key")}`,
        `--etcd-servers=https://${ip}:2379`,
        `--kubelet-client-certificate=${p("apiserver-kubelet-client.crt")}`,
        `--kubelet-client-key=${p("apiserver-kubelet-client.key")}`,
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
        `--proxy-client-cert-file=${p("front-proxy-client.crt")}`,
        `--proxy-client-key-file=${p("front-proxy-client.key")}`,
        "--requestheader-allowed-names=front-proxy-client",
        `--requestheader-client-ca-file=${p("front-proxy-ca.crt")}`,
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User",
        `--service-account-issuer=https://kubernetes.default.svc.${CLUSTER_DOMAIN}`,
        `--service-account-key-file=${p("sa.pub")}`,
        `--service-account-signing-key-file=${p("sa.key")}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--tls-cert-file=${p("apiserver.crt")}`,
        `--tls-private-key-file=${p("apiserver.key")}`,
      ],
      path.join(logs, "kube-apiserver.log"),
    );
    const tls = {
      ca: readFileSync(p("ca.crt")),
      cert: readFileSync(p("apiserver-kubelet-client.crt")),
      key: readFileSync(p("apiserver-kubelet-client.key")),
    };
    await waitFor(
      "kube-apiserver /readyz",
      async () => ((await httpsGet(`${server}/readyz`, tls)).status === 200 ? true : undefined),
      { timeoutMs: 60_000, failFast: exitedEarly },
    );
    if (options.controllers !== false) {
      processes["kube-controller-manager"] = startProcess(
        "kube-controller-manager",
        [
          path.join(bin, "kube-controller-manager"),
          `--authentication-kubeconfig=${pki.kubeconfig.controllerManager}`,
          `--authorization-kubeconfig=${pki.kubeconfig.controllerManager}`,
          `--kubeconfig=${pki.kubeconfig.controllerManager}`,
          `--bind-address=${ip}`,
          `--client-ca-file=${p("ca.crt")}`,
          "--cluster-name=kubernetes",
          `--cluster-signing-cert-file=${p("ca.crt")}`,
          `--cluster-signing-key-file=${p("ca.key")}`,
          `--controllers=${["*", "bootstrapsigner", "tokencleaner", ...(options.disableControllers ?? []).map((c) => `-${c}`)].join(",")}`,
          "--leader-elect=true",
          `--requestheader-client-ca-file=${p("front-proxy-ca.crt")}`,
          `--root-ca-file=${p("ca.crt")}`,
          `--service-account-private-key-file=${p("sa.key")}`,
          `--service-cluster-ip-range=${SERVICE_CIDR}`,
          "--use-service-account-credentials=true",
        ],
        path.join(logs, "kube-controller-manager.log"),
      );
      processes["kube-scheduler"] = startProcess(
        "kube-scheduler",
        [
          path.join(bin, "kube-scheduler"),
          `--authentication-kubeconfig=${pki.kubeconfig.scheduler}`,
          `--authorization-kubeconfig=${pki.kubeconfig.scheduler}`,
          `--bind-address=${ip}`,
          `--kubeconfig=${pki.kubeconfig.scheduler}`,
          "--leader-elect=true",
        ],
        path.join(logs, "kube-scheduler.log"),
      );
    }
    const cluster: TestCluster = {
      root,
      bin,
      block,
      nodeName,
      controlPlaneIp: ip,
      loadBalancerIp: `10.2.${block}.139`,
      server,
      pki,
      adminKubeconfig: pki.kubeconfig.admin,
      bootstrapToken: BOOTSTRAP_TOKEN,
      etcd: {
        endpoint: `https://${ip}:2379`,
        caFile: p("etcd/ca.crt"),
        certFile: p("etcd/healthcheck-client.crt"),
        keyFile: p("etcd/healthcheck-client.key"),
      },
      processes,
      nodeIp: (n) => `10.2.${block}.${150 + n}`,
      podIp: (n) => `10.244.${block}.${n}`,
      admin: () => clientFor(pki.kubeconfig.admin),
      kubectl: (args, opts) => kubectl(opts?.kubeconfig ?? pki.kubeconfig.admin, args, opts?.input),
      stop,
    };
    await applyKubeadmObjects(cluster, { certSANs: options.pki?.extraApiServerSans });
    if (options.controllers !== false) {
      const insecure = { rejectUnauthorized: false };
      await waitFor(
        "kube-controller-manager and kube-scheduler /healthz",
        async () => {
          const [kcm, sched] = await Promise.all([
            httpsGet(`https://${ip}:10257/healthz`, insecure),
            httpsGet(`https://${ip}:10259/healthz`, insecure),
          ]);
          return kcm.status === 200 && sched.status === 200 ? true : undefined;
        },
        { timeoutMs: 60_000, failFast: exitedEarly },
      );
    }
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A client with exactly the identity of one kubeconfig file, as the test environment uses them. */
export function clientFor(kubeconfig: string): Promise<KubeClient> {
  const config = loadKubeConfig(
    { kubeconfig, allNamespaces: false, asGroup: [], insecureSkipTlsVerify: false, requestTimeout: "30s" },
    { env: {} },
  );
  return KubeClient.create(config, { requestTimeoutMs: 30_000 });
}

/** The real kubectl, with a kubeconfig and nothing from the caller's environment leaking in. */
export async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<ExecResult> {
  const child = run("kubectl", ["--kubeconfig", kubeconfig, ...args], {
    env: { PATH: process.env.PATH, HOME: os.tmpdir() },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-3).join(" | ");
  } catch {
    return "(no log)";
  }
}
