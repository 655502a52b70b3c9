import { Informer } from "@kubemend/lib/kube/informer";
import type { KeyKind } from "@kubemend/lib/x509/issue";
import type { TestCluster } from "../cluster.js";
import { NODES, pods } from "./api.js";
import { bootstrapNode, type NodeCredentials, withTimeout } from "./bootstrap.js";
import { KubeletServer } from "./kubelet-server.js";
import { MirrorPods } from "./mirror-pods.js";
import { type HeartbeatOptions, markControlPlane, NodeHeartbeat, registerNode } from "./node.js";
import { podIpPool } from "./pod-ips.js";
import { PodPorts } from "./pod-ports.js";
import { type PodBehaviour, PodStatusReporter } from "./pod-status.js";
import type { Pod } from "./pods.js";
import {
  type ServingCertificate,
  ServingCertificateManager,
  type ServingCsrOptions,
  selfSignedServingCertificate,
} from "./serving-cert.js";

export type { NodeCredentials } from "./bootstrap.js";
export { BEHAVIOUR_ANNOTATION, type PodBehaviour, type PodBehaviourKind } from "./pod-status.js";
export type { Pod } from "./pods.js";
export type { ServingCertificate } from "./serving-cert.js";

export type ServingMode = "legacy" | "serverTLSBootstrap";

export interface NodeSpec {
  /** The node's number in the cluster's block: 1 is the control-plane node, at cluster.nodeIp(index). */
  index: number;
  /** Default: cluster.nodeName for index 1, else worker-<block>-<index>. */
  name?: string;
  /** Registers with the control-plane taint and gets kubeadm's control-plane labels. Default: index 1. */
  controlPlane?: boolean;
  /** Publishes the control-plane mirror pods. Default: controlPlane. */
  mirrorPods?: boolean;
  /** legacy: the self-signed certificate without IP SANs (S2); serverTLSBootstrap: a kubelet-serving CSR. Default legacy. */
  serving?: ServingMode;
  servingCsr?: ServingCsrOptions;
  /** Extra labels, set with admin credentials as `kubectl label node` would. */
  labels?: Record<string, string>;
  /** Per-pod behaviour; pods can also choose with the BEHAVIOUR_ANNOTATION. Default running. */
  podBehaviour?: (pod: Pod) => PodBehaviour | undefined;
  /** The client certificate's key. Default ECDSA P-256, as the kubelet. */
  keyKind?: KeyKind;
  heartbeat?: Omit<HeartbeatOptions, "onError">;
  /** Background failures (a status patch, a listener); they are also kept in `errors`. */
  onError?: (err: unknown) => void;
}

export interface StandinNode {
  name: string;
  ip: string;
  uid: string;
  credentials: NodeCredentials;
  /** https://<ip>:10250 */
  kubeletUrl: string;
  servingMode(): ServingMode;
  /** What new TLS connections to :10250 get; undefined while a serving CSR is unanswered. */
  servingCertificate(): ServingCertificate | undefined;
  /** Resolves with the first certificate issued for a serving CSR (after it is approved). */
  waitForServingCertificate(timeoutMs?: number): Promise<ServingCertificate>;
  /** The serving CSR being waited on, and every one filed so far. */
  pendingServingCsr(): string | undefined;
  servingCsrNames(): readonly string[];
  /**
   * The S2 fix: serverTLSBootstrap on and the kubelet restarted. Like the real kubelet, the node
   * then serves no certificate at all until its new CSR is approved and issued.
   */
  enableServerTlsBootstrap(options?: ServingCsrOptions): void;
  /** File a new serving CSR now; the new certificate is served without a restart. */
  rotateServingCertificate(): void;
  /** Pods bound to this node, as last seen. */
  pods(): Pod[];
  /** Re-evaluate every pod's behaviour and report any change. */
  resyncPods(): void;
  errors: unknown[];
  /** Stops the stand-in; the Node object stays and goes NotReady, as a stopped kubelet's does. */
  stop(): Promise<void>;
}

/**
 * Starts a node stand-in: it TLS-bootstraps, registers and keeps its Node Ready, serves :10250,
 * publishes mirror pods (control-plane node) and reports status for the pods bound to it, all
 * through the real API server as system:node:<name>.
 */
export async function startNode(cluster: TestCluster, spec: NodeSpec): Promise<StandinNode> {
  const name = spec.name ?? (spec.index === 1 ? cluster.nodeName : `worker-${cluster.block}-${spec.index}`);
  const ip = cluster.nodeIp(spec.index);
  const controlPlane = spec.controlPlane ?? spec.index === 1;
  const errors: unknown[] = [];
  const onError = (err: unknown) => {
    if (errors.length < 100) errors.push(err);
    spec.onError?.(err);
  };
  const stops: (() => unknown)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
    stops.length = 0;
  };

  try {
    const credentials = await bootstrapNode(cluster, name, { keyKind: spec.keyKind });
    const { client } = credentials;
    const registration = { name, ip, controlPlane };
    const node = await registerNode(client, registration);
    const uid = node.metadata.uid as string;
    if (controlPlane || spec.labels) {
      const admin = await cluster.admin();
      if (controlPlane) await markControlPlane(admin, name);
      if (spec.labels) await admin.patch({ ...NODES, name }, { metadata: { labels: spec.labels } });
    }

    const heartbeat = new NodeHeartbeat(client, registration, node, { ...spec.heartbeat, onError });
    await heartbeat.start();
    stops.push(() => heartbeat.stop());

    const ports = new PodPorts(onError);
    const reporter = new PodStatusReporter(client, { name, ip }, podIpPool(cluster), ports, {
      behaviour: spec.podBehaviour,
      onError,
    });
    stops.push(() => reporter.stop());
    const mirrors =
      (spec.mirrorPods ?? controlPlane)
        ? new MirrorPods(client, cluster, { name, ip, uid }, onError)
        : undefined;
    const informer = new Informer<Pod>(
      credentials.client,
      pods(),
      { fieldSelector: `spec.nodeName=${name}` },
      (type, pod) => {
        mirrors?.handle(type, pod);
        reporter.handle(type, pod);
      },
    );
    stops.push(() => informer.stop());
    await informer.whenSynced();
    if (mirrors) {
      await mirrors.start();
      stops.push(() => mirrors.stop());
    }

    const legacy = (spec.serving ?? "legacy") === "legacy";
    const server = await KubeletServer.start(
      { ip, clientCaPem: cluster.pki.ca.certPem, pods: () => informer.items() },
      legacy ? await selfSignedServingCertificate(name, credentials.pkiDir) : undefined,
    );
    stops.push(() => server.stop());

    let manager: ServingCertificateManager | undefined;
    const issuedWaiters: ((cert: ServingCertificate) => void)[] = [];
    const enableServerTlsBootstrap = (options: ServingCsrOptions = spec.servingCsr ?? {}) => {
      if (manager) return;
      server.serve(undefined);
      manager = new ServingCertificateManager(
        client,
        { name, hostname: name, ip, pkiDir: credentials.pkiDir },
        {
          onIssued: (cert) => {
            server.serve(cert);
            for (const resolve of issuedWaiters.splice(0)) resolve(cert);
          },
          onError,
        },
        options,
      );
      const running = manager;
      stops.push(() => running.stop());
    };
    if (!legacy) enableServerTlsBootstrap();

    return {
      name,
      ip,
      uid,
      credentials,
      kubeletUrl: server.url,
      servingMode: () => (manager ? "serverTLSBootstrap" : "legacy"),
      servingCertificate: () => server.served(),
      waitForServingCertificate: (timeoutMs = 60_000) => {
        const issued = manager?.current();
        if (issued) return Promise.resolve(issued);
        return withTimeout(
          (signal) =>
            new Promise<ServingCertificate>((resolve, reject) => {
              issuedWaiters.push(resolve);
              signal.addEventListener("abort", () => reject(signal.reason));
            }),
          timeoutMs,
          `a serving certificate for node ${name}`,
        );
      },
      pendingServingCsr: () => manager?.pendingCsr(),
      servingCsrNames: () => manager?.csrNames() ?? [],
      enableServerTlsBootstrap,
      rotateServingCertificate: () => manager?.rotate(),
      pods: () => informer.items(),
      resyncPods: () => reporter.resync(informer.items()),
      errors,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
