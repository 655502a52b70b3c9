// kubeadm's certificate list (cmd/kubeadm/app/phases/certs/certlist.go and phases/kubeconfig):
// which CA signs each file and what its subject, usages and SANs must be.

export type KubeadmCa = "ca" | "front-proxy-ca" | "etcd/ca";

export interface KubeadmCertProfile {
  /** The file under --pki-dir ("apiserver.crt") or --kubeconfig-dir ("admin.conf"). */
  file: string;
  /** The argument of `kubeadm certs renew`; CAs have none. */
  renew?: string;
  /** The static pod that loads it, which must restart to serve or use a renewed certificate. */
  component?: string;
  ca?: KubeadmCa;
  isCA: boolean;
  /** undefined: the node's name, which differs per node. */
  cn?: string;
  /** Acceptable O values; kubeadm < 1.29 put admin and kubelet-client in system:masters. */
  o?: string[][];
  extKeyUsages: string[];
  /** Names every node's copy must cover. */
  sans?: string[];
  /**
   * Whether the required SANs are dialed whatever runs on the node: the API server's names are,
   * by every pod that reaches it through the kubernetes Service; etcd's loopback names only when
   * a component here is configured with them.
   */
  sansAlwaysDialed?: boolean;
}

export const KUBEADM_CAS: Record<KubeadmCa, KubeadmCertProfile> = {
  ca: { file: "ca.crt", isCA: true, cn: "kubernetes", extKeyUsages: [] },
  "front-proxy-ca": { file: "front-proxy-ca.crt", isCA: true, cn: "front-proxy-ca", extKeyUsages: [] },
  "etcd/ca": { file: "etcd/ca.crt", isCA: true, cn: "etcd-ca", extKeyUsages: [] },
};

/**
 * admin.conf's O: kubeadm:cluster-admins in phases/kubeconfig/kubeconfig.go at v1.31.0, v1.33.13,
 * v1.35.4 and v1.37.2; system:masters before v1.29, kept by clusters upgraded since until renewed.
 */
const ADMIN_GROUPS = [["kubeadm:cluster-admins"], ["system:masters"]];

/**
 * apiserver-kubelet-client's O (phases/certs/certlist.go, KubeadmCertKubeletClient), the only
 * subject that differs between the supported minors:
 * - kubeadm:cluster-admins at v1.31.0, v1.31.14, v1.32.13, v1.34.4 and v1.35.4;
 * - none at v1.33.13, v1.36.1 and v1.37.2, where the `kubeadm:apiserver-kubelet-client`
 *   ClusterRoleBinding grants the CN its kubelet access instead;
 * - system:masters before v1.29, kept by upgraded clusters until the certificate is renewed.
 */
const KUBELET_CLIENT_GROUPS = [[], ["kubeadm:cluster-admins"], ["system:masters"]];

export const KUBEADM_LEAVES: KubeadmCertProfile[] = [
  {
    file: "apiserver.crt",
    renew: "apiserver",
    component: "kube-apiserver",
    ca: "ca",
    isCA: false,
    cn: "kube-apiserver",
    extKeyUsages: ["server auth"],
    sans: ["kubernetes", "kubernetes.default", "kubernetes.default.svc"],
    sansAlwaysDialed: true,
  },
  {
    file: "apiserver-kubelet-client.crt",
    renew: "apiserver-kubelet-client",
    component: "kube-apiserver",
    ca: "ca",
    isCA: false,
    cn: "kube-apiserver-kubelet-client",
    o: KUBELET_CLIENT_GROUPS,
    extKeyUsages: ["client auth"],
  },
  {
    file: "front-proxy-client.crt",
    renew: "front-proxy-client",
    component: "kube-apiserver",
    ca: "front-proxy-ca",
    isCA: false,
    cn: "front-proxy-client",
    extKeyUsages: ["client auth"],
  },
  {
    file: "apiserver-etcd-client.crt",
    renew: "apiserver-etcd-client",
    component: "kube-apiserver",
    ca: "etcd/ca",
    isCA: false,
    cn: "kube-apiserver-etcd-client",
    extKeyUsages: ["client auth"],
  },
  {
    file: "etcd/server.crt",
    renew: "etcd-server",
    component: "etcd",
    ca: "etcd/ca",
    isCA: false,
    extKeyUsages: ["server auth", "client auth"],
    sans: ["localhost", "127.0.0.1", "::1"],
  },
  {
    file: "etcd/peer.crt",
    renew: "etcd-peer",
    component: "etcd",
    ca: "etcd/ca",
    isCA: false,
    extKeyUsages: ["server auth", "client auth"],
  },
  {
    file: "etcd/healthcheck-client.crt",
    renew: "etcd-healthcheck-client",
    component: "etcd",
    ca: "etcd/ca",
    isCA: false,
    cn: "kube-etcd-healthcheck-client",
    extKeyUsages: ["client auth"],
  },
];

export const KUBEADM_KUBECONFIGS: KubeadmCertProfile[] = [
  {
    file: "admin.conf",
    renew: "admin.conf",
    ca: "ca",
    isCA: false,
    cn: "kubernetes-admin",
    o: ADMIN_GROUPS,
    extKeyUsages: ["client auth"],
  },
  {
    file: "super-admin.conf",
    renew: "super-admin.conf",
    ca: "ca",
    isCA: false,
    cn: "kubernetes-super-admin",
    o: [["system:masters"]],
    extKeyUsages: ["client auth"],
  },
  {
    file: "controller-manager.conf",
    renew: "controller-manager.conf",
    component: "kube-controller-manager",
    ca: "ca",
    isCA: false,
    cn: "system:kube-controller-manager",
    o: [[]],
    extKeyUsages: ["client auth"],
  },
  {
    file: "scheduler.conf",
    renew: "scheduler.conf",
    component: "kube-scheduler",
    ca: "ca",
    isCA: false,
    cn: "system:kube-scheduler",
    o: [[]],
    extKeyUsages: ["client auth"],
  },
];

/** How to make a static pod load renewed certificates. Deleting its mirror pod does not. */
export function restartStaticPod(component: string): string {
  return `on that node, move /etc/kubernetes/manifests/${component}.yaml out of the directory, wait until the kubelet stops the container (crictl ps --name ${component}), then move it back; deleting the mirror pod with kubectl does not restart a static pod`;
}
