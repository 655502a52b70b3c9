// The real kubeadm makes each test cluster's control plane: the PKI, the kubeconfigs, the etcd and
// control-plane static pod manifests, then (once the API server answers) kubeadm-config,
// kubelet-config, the bootstrap token and the RBAC that `kubeadm init` creates. Everything runs
// with the cluster's own directory mounted at /etc/kubernetes in a private mount namespace, so a
// node's files keep kubeadm's paths and many clusters share one machine.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { dump, load } from "js-yaml";

const run = promisify(execFile);

/** Where kubeadm, the static pods and the kubelets look for the node's Kubernetes files. */
export const KUBERNETES_DIR = "/etc/kubernetes";
export const KUBEADM_API = "kubeadm.k8s.io/v1beta4";

/**
 * The argv that runs `argv` with `root` mounted at /etc/kubernetes, as a container with kubeadm's
 * hostPath mounts would see the node. The program replaces the shell (exec), so its pid and
 * /proc/<pid>/cmdline are its own.
 */
export function onNode(root: string, argv: string[]): string[] {
  mkdirSync(KUBERNETES_DIR, { recursive: true });
  return inPrivateMounts('mount --bind "$0" /etc/kubernetes && exec "$@"', [root, ...argv]);
}

/** `sh -c script args…` in a private mount namespace: its bind mounts are its own and its children's. */
export function inPrivateMounts(script: string, args: string[]): string[] {
  return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, ...args];
}

export interface KubeadmConfigSpec {
  kubernetesVersion: string;
  nodeName: string;
  advertiseAddress: string;
  /** The node's /etc/kubernetes. certificatesDir is <root>/pki, the etcd data <root>/etcd. */
  root: string;
  serviceSubnet: string;
  podSubnet: string;
  dnsDomain: string;
  bootstrapToken: string;
  bootstrapTokenGroups: string[];
  /** apiServer.certSANs: a load balancer's address, for example. */
  certSANs?: string[];
  /** kube-controller-manager controllers to leave off ("root-ca-cert-publisher"). */
  disableControllers?: string[];
  /** kubeadm's certificateValidityPeriod and caCertificateValidityPeriod, as Go durations ("8760h"). */
  certificateValidityPeriod?: string;
  caCertificateValidityPeriod?: string;
}

const arg = (name: string, value: string) => ({ name, value });

/**
 * InitConfiguration and ClusterConfiguration. Every listener is pinned to the node's own address
 * (kubeadm's defaults bind 127.0.0.1 or 0.0.0.0, which the clusters sharing this network namespace
 * would fight over); everything else is kubeadm's default.
 */
export function kubeadmConfig(spec: KubeadmConfigSpec): string {
  const ip = spec.advertiseAddress;
  const init = {
    apiVersion: KUBEADM_API,
    kind: "InitConfiguration",
    bootstrapTokens: [
      {
        token: spec.bootstrapToken,
        ttl: "24h0m0s",
        groups: spec.bootstrapTokenGroups,
        usages: ["signing", "authentication"],
      },
    ],
    localAPIEndpoint: { advertiseAddress: ip, bindPort: 6443 },
    nodeRegistration: {
      name: spec.nodeName,
      criSocket: "unix:///var/run/containerd/containerd.sock",
      taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
    },
  };
  const cluster = {
    apiVersion: KUBEADM_API,
    kind: "ClusterConfiguration",
    kubernetesVersion: spec.kubernetesVersion,
    clusterName: "kubernetes",
    controlPlaneEndpoint: `${ip}:6443`,
    certificatesDir: path.join(spec.root, "pki"),
    networking: { dnsDomain: spec.dnsDomain, serviceSubnet: spec.serviceSubnet, podSubnet: spec.podSubnet },
    apiServer: {
      certSANs: spec.certSANs ?? [],
      extraArgs: [arg("bind-address", ip), arg("etcd-servers", `https://${ip}:2379`)],
    },
    controllerManager: {
      extraArgs: [
        arg("bind-address", ip),
        ...(spec.disableControllers?.length
          ? [
              arg(
                "controllers",
                ["*", "bootstrapsigner", "tokencleaner", ...spec.disableControllers.map((c) => `-${c}`)].join(
                  ",",
                ),
              ),
            ]
          : []),
      ],
    },
    scheduler: { extraArgs: [arg("bind-address", ip)] },
    etcd: {
      local: {
        dataDir: path.join(spec.root, "etcd"),
        extraArgs: [
          arg("listen-client-urls", `https://${ip}:2379`),
          arg("listen-metrics-urls", `http://${ip}:2381`),
        ],
      },
    },
    ...(spec.certificateValidityPeriod && { certificateValidityPeriod: spec.certificateValidityPeriod }),
    ...(spec.caCertificateValidityPeriod && {
      caCertificateValidityPeriod: spec.caCertificateValidityPeriod,
    }),
  };
  return `${dump(init)}---\n${dump(cluster)}`;
}

export interface Kubeadm {
  /** The kubeadm config file every call is given. */
  config: string;
  /** The Kubernetes version kubeadm was built at and writes into the manifests. */
  version: string;
  /** Runs `kubeadm ARGS... --config <config>` on the node; rejects with kubeadm's own message. */
  run(args: string[], opts?: { withConfig?: boolean }): Promise<string>;
}

export function kubeadmFor(bin: string, root: string, spec: KubeadmConfigSpec): Kubeadm {
  const config = path.join(root, "kubeadm.yaml");
  writeFileSync(config, kubeadmConfig(spec), { mode: 0o600 });
  return {
    config,
    version: spec.kubernetesVersion,
    async run(args, { withConfig = true } = {}) {
      const [file, ...argv] = onNode(root, [
        path.join(bin, "kubeadm"),
        ...args,
        ...(withConfig ? ["--config", config] : []),
      ]);
      try {
        const { stdout } = await run(file as string, argv, { maxBuffer: 16 << 20 });
        return stdout;
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        const said = (e.stderr ?? "").trim().split("\n").slice(-3).join(" | ");
        throw new Error(`kubeadm ${args.join(" ")} failed: ${said || e.message}`);
      }
    },
  };
}

interface StaticPod {
  spec: { containers: { command: string[] }[] };
}

/** The command line of a static pod manifest that kubeadm wrote under <root>/manifests. */
export function manifestCommand(root: string, component: string): string[] {
  const pod = load(readFileSync(path.join(root, "manifests", `${component}.yaml`), "utf8")) as StaticPod;
  const command = pod.spec.containers[0]?.command;
  if (!command?.length) throw new Error(`${component}.yaml has no command`);
  return command;
}
