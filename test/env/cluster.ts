import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { KubeClient } from "@kubemend/lib/kube/client";
import { loadKubeConfig } from "@kubemend/lib/kube/kubeconfig";
import { controlPlaneBin } from "./controlplane-bin.js";
import { type Kubeadm, kubeadmFor, manifestCommand, onNode } from "./kubeadm.js";
import { ENV_DIR } from "./paths.js";
import { loadPki, type Pki } from "./pki.js";
import { httpsGet, type ManagedProcess, startProcess, stopProcess, waitFor } from "./process.js";

const run = promisify(execFile);

export const SERVICE_CIDR = "10.96.0.0/12";
export const POD_CIDR = "10.244.0.0/16";
export const KUBERNETES_SERVICE_IP = "10.96.0.1";
export const CLUSTER_DOMAIN = "cluster.local";
export const BOOTSTRAP_TOKEN_ID = "abcdef";
export const BOOTSTRAP_TOKEN = `${BOOTSTRAP_TOKEN_ID}.0123456789abcdef`;
/** The extra group `kubeadm init` gives its default token. */
export const BOOTSTRAP_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";

export interface ClusterOptions {
  /** kubeadm's apiServer.certSANs: addresses the API server certificate covers besides kubeadm's own. */
  certSANs?: string[];
  /** kubeadm's certificateValidityPeriod / caCertificateValidityPeriod ("8760h"). */
  certificateValidityPeriod?: string;
  caCertificateValidityPeriod?: string;
  /** Start kube-controller-manager and kube-scheduler (default true). */
  controllers?: boolean;
  /** kube-controller-manager controllers to leave off, by name or alias ("root-ca-cert-publisher"). */
  disableControllers?: string[];
  /**
   * false: without the three ClusterRoleBindings kubeadm makes for TLS bootstrap (S5's
   * binary installs): kubelets may not file CSRs, and nothing approves their client CSRs.
   */
  bootstrapRbac?: boolean;
}

/** kubeadm's TLS-bootstrap bindings: filing CSRs, auto-approving the first client CSR, and renewals. */
export const BOOTSTRAP_BINDINGS = [
  "kubeadm:kubelet-bootstrap",
  "kubeadm:node-autoapprove-bootstrap",
  "kubeadm:node-autoapprove-certificate-rotation",
] as const;

export type ControlPlaneComponent = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler";

/**
 * A running test cluster made by the real kubeadm: real etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler, started with the command lines of the static pod
 * manifests kubeadm wrote, with the cluster's root mounted at /etc/kubernetes as the kubelet would
 * mount kubeadm's hostPath volumes.
 */
export interface TestCluster {
  /** The control-plane node's /etc/kubernetes: pki/, manifests/, *.conf, kubeadm.yaml; etcd/ holds etcd's data. */
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
  kubeadm: Kubeadm;
  adminKubeconfig: string;
  bootstrapToken: string;
  etcd: { endpoint: string; caFile: string; certFile: string; keyFile: string };
  processes: Record<ControlPlaneComponent, ManagedProcess | undefined>;
  /** The address of the Nth node (1 is the control-plane node). */
  nodeIp(n: number): string;
  /** The Nth pod address of this cluster. */
  podIp(n: number): string;
  admin(): Promise<KubeClient>;
  kubectl(args: string[], opts?: { kubeconfig?: string; input?: string }): Promise<ExecResult>;
  /**
   * What the kubelet does when a static pod's manifest changes (the manifest moved out and back):
   * the component is stopped and started again with the manifest's command line.
   */
  restart(component: ControlPlaneComponent): Promise<void>;
  /** The component's process ends and is not started again, its manifest left in place (a crash loop, between restarts). */
  down(component: ControlPlaneComponent): Promise<void>;
  /** SIGSTOP: the component hangs, its sockets open and unanswered; resume() sends SIGCONT. */
  pause(component: ControlPlaneComponent): void;
  resume(component: ControlPlaneComponent): void;
  stop(): Promise<void>;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function requireNetns(): string {
  const ns = process.env.KUBEMEND_NETNS;
  if (!ns)
    throw new Error(
      "the test control plane runs inside a network namespace: run it through scripts/in-netns.sh (make test and make demo do)",
    );
  return ns;
}

/** Claims a free /24 block in this namespace; the directory is the lock. */
export function claimBlock(ns: string): { block: number; release(): void } {
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

const VERSIONS = JSON.parse(readFileSync(path.join(ENV_DIR, "versions.json"), "utf8")) as {
  kubernetes: string;
};

export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const ns = requireNetns();
  const bin = await controlPlaneBin();
  const { block, release } = claimBlock(ns);
  const root = mkdtempSync(path.join(os.tmpdir(), "kubemend-cluster-"));
  const logs = path.join(root, "logs");
  mkdirSync(logs);
  const ip = `10.2.${block}.151`;
  const nodeName = `cp-${block}`;
  const server = `https://${ip}:6443`;
  const kubeadm = kubeadmFor(bin, root, {
    kubernetesVersion: VERSIONS.kubernetes,
    nodeName,
    advertiseAddress: ip,
    root,
    serviceSubnet: SERVICE_CIDR,
    podSubnet: POD_CIDR,
    dnsDomain: CLUSTER_DOMAIN,
    bootstrapToken: BOOTSTRAP_TOKEN,
    bootstrapTokenGroups: [BOOTSTRAP_TOKEN_GROUP],
    certSANs: options.certSANs,
    disableControllers: options.disableControllers,
    certificateValidityPeriod: options.certificateValidityPeriod,
    caCertificateValidityPeriod: options.caCertificateValidityPeriod,
  });
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
  /** A static pod as the kubelet runs it: the manifest's command, kubeadm's hostPaths mounted. */
  const startComponent = (component: ControlPlaneComponent) => {
    const command = manifestCommand(root, component);
    const binary = path.join(bin, command[0] as string);
    processes[component] = startProcess(
      component,
      command,
      path.join(logs, `${component}.log`),
      onNode(root, [binary, ...command.slice(1)]),
    );
  };
  const stop = async () => {
    await Promise.all(
      (["kube-scheduler", "kube-controller-manager", "kube-apiserver"] as const).map(async (name) => {
        const proc = processes[name];
        if (proc) await stopProcess(proc);
      }),
    );
    if (processes.etcd) await stopProcess(processes.etcd);
    release();
    if (!process.env.KUBEMEND_KEEP_CLUSTER) rmSync(root, { recursive: true, force: true });
  };

  try {
    await kubeadm.run(["init", "phase", "certs", "all"]);
    await Promise.all([
      kubeadm.run(["init", "phase", "kubeconfig", "all"]),
      kubeadm.run(["init", "phase", "etcd", "local"]),
      kubeadm.run(["init", "phase", "control-plane", "all"]),
    ]);
    const pki = loadPki(root, server);
    const p = (name: string) => path.join(pki.pkiDir, name);
    startComponent("etcd");
    startComponent("kube-apiserver");
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
    // What `kubeadm init` does once the API server answers: kubeadm-config and kubelet-config,
    // the bootstrap token with its RBAC and cluster-info, and kubeadm:cluster-admins.
    await kubeadm.run(["init", "phase", "upload-config", "all"]);
    await kubeadm.run(["init", "phase", "bootstrap-token", "--skip-token-print"]);
    if (options.bootstrapRbac === false) {
      const admin = await clientFor(pki.kubeconfig.admin);
      for (const name of BOOTSTRAP_BINDINGS)
        await admin.delete({
          group: "rbac.authorization.k8s.io",
          version: "v1",
          resource: "clusterrolebindings",
          name,
        });
    }
    if (options.controllers !== false) {
      startComponent("kube-controller-manager");
      startComponent("kube-scheduler");
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
      kubeadm,
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
      restart: async (component) => {
        const proc = processes[component];
        if (proc) await stopProcess(proc);
        startComponent(component);
      },
      down: async (component) => {
        const proc = processes[component];
        if (proc) await stopProcess(proc);
        delete processes[component];
      },
      pause: (component) => processes[component]?.child.kill("SIGSTOP"),
      resume: (component) => processes[component]?.child.kill("SIGCONT"),
      stop,
    };
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

/**
 * The real kubectl (the e2e tests' pinned build when KUBEMEND_KUBECTL names it), with a kubeconfig
 * and nothing from the caller's environment leaking in.
 */
export async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<ExecResult> {
  const child = run(process.env.KUBEMEND_KUBECTL ?? "kubectl", ["--kubeconfig", kubeconfig, ...args], {
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
