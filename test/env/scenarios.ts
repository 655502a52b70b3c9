// The incidents of docs/incidents (S1–S6), planted on a running test cluster. e2e tests and the demo
// share these fixtures, so what the demo shows is what the tests prove.
import { createPrivateKey } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { ResourceRef } from "@kubemend/lib/kube/client";
import { createCertificate, generateKey } from "@kubemend/lib/x509/issue";
import { apply } from "./apply.js";
import { startCluster, type TestCluster } from "./cluster.js";
import { type Kubelet, startKubelet } from "./kubelet.js";
import { type LoadBalancer, startLoadBalancer } from "./load-balancer.js";
import { issueClientKubeconfig } from "./pki.js";
import { waitFor } from "./process.js";
import { BEHAVIOUR_ANNOTATION, type StandinNode, startNode } from "./standin/index.js";

const DAY = 86_400_000;
const APPS = (resource: string, namespace: string): ResourceRef => ({
  group: "apps",
  version: "v1",
  resource,
  namespace,
});
const CORE = (resource: string, namespace: string): ResourceRef => ({
  group: "",
  version: "v1",
  resource,
  namespace,
});

/**
 * S2 and S5: the control-plane node and one worker run with serverTLSBootstrap, so their
 * kubelet-serving CSRs sit Pending; two workers serve the legacy self-signed certificate without
 * IP SANs. Node 3 is where S1's kube-proxy pod crash-loops.
 */
export async function startNodes(cluster: TestCluster): Promise<StandinNode[]> {
  return Promise.all([
    startNode(cluster, { index: 1, serving: "serverTLSBootstrap" }),
    startNode(cluster, { index: 2, serving: "legacy" }),
    startNode(cluster, {
      index: 3,
      serving: "legacy",
      podBehaviour: (pod) => (pod.metadata.labels?.["k8s-app"] === "kube-proxy" ? "crashloop" : undefined),
    }),
    startNode(cluster, { index: 4, serving: "serverTLSBootstrap" }),
  ]);
}

/**
 * A cluster with the real kubelet on its control-plane node, once the kubelet has turned kubeadm's
 * etcd manifest into a mirror pod: what discovery from mirror pods (etcdsnap) needs.
 */
export async function startControlPlane(): Promise<{ cluster: TestCluster; node: Kubelet }> {
  const cluster = await startCluster();
  try {
    const node = await startKubelet(cluster, { index: 1 });
    const admin = await cluster.admin();
    await waitFor("the etcd mirror pod", async () => {
      for await (const pod of admin.list(CORE("pods", "kube-system"), { labelSelector: "component=etcd" }))
        if (pod.metadata.name === `etcd-${cluster.nodeName}`) return true;
      return undefined;
    });
    return { cluster, node };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/**
 * S1 after the bad restore: the Service `myapp` selects `app: my-app` while its pods are labelled
 * `app: myapp` (no endpoints), and kube-proxy crash-loops on one node.
 */
export async function plantServiceOutage(cluster: TestCluster, namespace = "default"): Promise<void> {
  const admin = await cluster.admin();
  await apply(admin, APPS("daemonsets", "kube-system"), {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "kube-proxy", namespace: "kube-system", labels: { "k8s-app": "kube-proxy" } },
    spec: {
      selector: { matchLabels: { "k8s-app": "kube-proxy" } },
      template: {
        metadata: { labels: { "k8s-app": "kube-proxy" } },
        spec: {
          hostNetwork: true,
          priorityClassName: "system-node-critical",
          tolerations: [{ operator: "Exists" }],
          containers: [
            { name: "kube-proxy", image: "kube-proxy:v1.37.2", command: ["/usr/local/bin/kube-proxy"] },
          ],
        },
      },
    },
  });
  await apply(admin, APPS("deployments", namespace), {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "myapp", namespace, labels: { app: "myapp" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "myapp" } },
      template: {
        metadata: { labels: { app: "myapp", tier: "web" } },
        spec: {
          containers: [{ name: "web", image: "myapp:1.0", ports: [{ name: "http", containerPort: 8080 }] }],
        },
      },
    },
  });
  await apply(admin, CORE("services", namespace), {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "myapp", namespace },
    spec: { selector: { app: "my-app" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
  });
}

/**
 * What kubeadm installs besides the control plane and S1's kube-proxy: CoreDNS behind the
 * kube-dns Service (Recreate, so a broken rollout takes every replica down) and a calico-node
 * DaemonSet.
 */
export async function plantClusterAddons(cluster: TestCluster): Promise<void> {
  const admin = await cluster.admin();
  await apply(admin, CORE("configmaps", "kube-system"), {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "coredns" },
    data: {
      Corefile:
        ".:53 {\n    errors\n    health\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n    }\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n}\n",
    },
  });
  await apply(admin, APPS("deployments", "kube-system"), {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "coredns", labels: { "k8s-app": "kube-dns" } },
    spec: {
      replicas: 2,
      strategy: { type: "Recreate" },
      selector: { matchLabels: { "k8s-app": "kube-dns" } },
      template: {
        metadata: { labels: { "k8s-app": "kube-dns" }, annotations: { [BEHAVIOUR_ANNOTATION]: "running" } },
        spec: {
          priorityClassName: "system-cluster-critical",
          tolerations: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
          containers: [
            {
              name: "coredns",
              image: "coredns/coredns:v1.12.1",
              ports: [
                { name: "dns", containerPort: 53, protocol: "UDP" },
                { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                { name: "metrics", containerPort: 9153, protocol: "TCP" },
              ],
            },
          ],
        },
      },
    },
  });
  await apply(admin, CORE("services", "kube-system"), {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kube-dns", labels: { "k8s-app": "kube-dns" } },
    spec: {
      clusterIP: "10.96.0.10",
      selector: { "k8s-app": "kube-dns" },
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
      ],
    },
  });
  await apply(admin, APPS("daemonsets", "kube-system"), {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "calico-node", labels: { "k8s-app": "calico-node" } },
    spec: {
      selector: { matchLabels: { "k8s-app": "calico-node" } },
      template: {
        metadata: { labels: { "k8s-app": "calico-node" } },
        spec: {
          hostNetwork: true,
          priorityClassName: "system-node-critical",
          tolerations: [{ operator: "Exists" }],
          containers: [{ name: "calico-node", image: "calico/node:v3.29.0" }],
        },
      },
    },
  });
}

/** S3: an HAProxy-like balancer in front of the API server, at an address its certificate lacks. */
export async function plantLoadBalancer(
  cluster: TestCluster,
): Promise<{ balancer: LoadBalancer; kubeconfig: string }> {
  const balancer = await startLoadBalancer({ address: cluster.loadBalancerIp, port: 6443 }, [
    { host: cluster.controlPlaneIp, port: 6443 },
  ]);
  const kubeconfig = path.join(cluster.root, "admin-via-lb.conf");
  await issueClientKubeconfig(cluster.pki, {
    path: kubeconfig,
    user: "kubernetes-admin",
    groups: ["kubeadm:cluster-admins"],
    server: `https://${cluster.loadBalancerIp}:6443`,
  });
  return { balancer, kubeconfig };
}

/** S4: an admin kubeconfig whose client certificate expired three days ago. */
export async function plantExpiredKubeconfig(cluster: TestCluster, now = new Date()): Promise<string> {
  const expiredKubeconfig = path.join(cluster.root, "expired-admin.conf");
  await issueClientKubeconfig(cluster.pki, {
    path: expiredKubeconfig,
    user: "kubernetes-admin",
    groups: ["kubeadm:cluster-admins"],
    notBefore: new Date(now.getTime() - 368 * DAY),
    notAfter: new Date(now.getTime() - 3 * DAY),
  });
  return expiredKubeconfig;
}

/**
 * S4's "renewed on disk": a CA-signed serving certificate with the node's IP written over a legacy
 * kubelet's kubelet.crt, as operators fix S2 by hand. With its key (withKey) the real kubelet
 * (1.31 and later) loads the pair by itself; without it, the new certificate does not match
 * kubelet.key and the kubelet keeps serving the old pair. Returns the certificate written.
 */
export async function plantKubeletRenewedOnDisk(
  cluster: TestCluster,
  node: { name: string; ip: string; pkiDir: string },
  { now = new Date(), withKey = false } = {},
): Promise<string> {
  const key = await generateKey("ecdsa-p256");
  const replacement = await createCertificate({
    subject: { cn: node.name },
    sans: { dns: [node.name], ip: [node.ip] },
    keyUsages: ["digital signature"],
    extKeyUsages: ["server auth"],
    isCA: false,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 365 * DAY),
    publicKey: key.publicKey,
    signer: { certPem: cluster.pki.ca.certPem, key: createPrivateKey(cluster.pki.ca.keyPem) },
  });
  if (withKey) await writeFile(path.join(node.pkiDir, "kubelet.key"), key.privateKeyPem, { mode: 0o600 });
  await writeFile(path.join(node.pkiDir, "kubelet.crt"), replacement);
  return replacement;
}

interface PodView {
  metadata: { labels?: Record<string, string> };
  status?: { phase?: string; containerStatuses?: { state?: { waiting?: { reason?: string } } }[] };
}

/** Until the controllers have acted on what was planted: kube-proxy on every node, myapp and CoreDNS running. */
async function waitForPlanted(cluster: TestCluster, nodeCount: number): Promise<void> {
  const admin = await cluster.admin();
  const podsOf = async (namespace: string, labelSelector: string) => {
    const pods: PodView[] = [];
    for await (const pod of admin.list<PodView>(CORE("pods", namespace), { labelSelector })) pods.push(pod);
    return pods;
  };
  const running = (pods: PodView[]) => pods.filter((p) => p.status?.phase === "Running").length;
  await waitFor(
    "the planted workloads",
    async () => {
      const proxies = await podsOf("kube-system", "k8s-app=kube-proxy");
      const crashing = proxies.some((p) =>
        p.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === "CrashLoopBackOff"),
      );
      const ready =
        proxies.length === nodeCount &&
        crashing &&
        running(await podsOf("default", "app=myapp")) === 2 &&
        running(await podsOf("kube-system", "k8s-app=kube-dns")) === 2;
      return ready ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300 },
  );
}

/** Everything at once, for the demo. */
export interface Sandbox {
  cluster: TestCluster;
  /** Real kubelets: the control-plane node and node 4 with serverTLSBootstrap, node 2 legacy (S2, S4). */
  kubelets: Kubelet[];
  /** The legacy node whose kubelet.crt was replaced on disk without its key (S4). */
  legacy: Kubelet;
  /** Node 3, a stand-in: the pods that need a pod network (myapp, CoreDNS) and S1's crash-looping kube-proxy. */
  podNode: StandinNode;
  kubeconfigs: { admin: string; viaLoadBalancer: string; expired: string };
  stop(): Promise<void>;
}

/**
 * The real kubelets run no containers (their pods get the fake runtime's one sandbox IP), so they
 * take only host-network DaemonSet pods; workloads land on the stand-in, which gives pods addresses
 * that answer.
 */
const NO_POD_NETWORK = { key: "kubemend.io/no-pod-network", value: "true", effect: "NoSchedule" };

export async function startSandbox(): Promise<Sandbox> {
  const cluster = await startCluster();
  const stops: (() => Promise<void>)[] = [() => cluster.stop()];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const taint = { registerWithTaints: [NO_POD_NETWORK] };
    const kubelets = await Promise.all([
      startKubelet(cluster, { index: 1, serving: "serverTLSBootstrap", config: taint }),
      startKubelet(cluster, { index: 2, serving: "legacy", config: taint }),
      startKubelet(cluster, { index: 4, serving: "serverTLSBootstrap", config: taint }),
    ]);
    stops.push(async () => {
      await Promise.all(kubelets.map((k) => k.stop()));
    });
    const podNode = await startNode(cluster, {
      index: 3,
      serving: "legacy",
      podBehaviour: (pod) => (pod.metadata.labels?.["k8s-app"] === "kube-proxy" ? "crashloop" : undefined),
    });
    stops.push(() => podNode.stop());
    await plantClusterAddons(cluster);
    await plantServiceOutage(cluster);
    const { balancer, kubeconfig: viaLoadBalancer } = await plantLoadBalancer(cluster);
    stops.push(() => balancer.close());
    await waitForPlanted(cluster, kubelets.length + 1);
    const expiredKubeconfig = await plantExpiredKubeconfig(cluster);
    const legacy = kubelets[1] as Kubelet;
    await plantKubeletRenewedOnDisk(cluster, legacy);
    return {
      cluster,
      kubelets,
      legacy,
      podNode,
      kubeconfigs: { admin: cluster.adminKubeconfig, viaLoadBalancer, expired: expiredKubeconfig },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
