import { readFileSync } from "node:fs";
import path from "node:path";
import type { ResourceRef } from "@kubemend/lib/kube/client";
import { isConflict } from "@kubemend/lib/kube/errors";
import { metaTime } from "@kubemend/lib/kube/time";
import { dump } from "js-yaml";
import { clientFor, type TestCluster } from "./cluster.js";

export const BOOTSTRAP_TOKEN_ID = "abcdef";
export const BOOTSTRAP_TOKEN = `${BOOTSTRAP_TOKEN_ID}.0123456789abcdef`;
const BOOTSTRAPPERS = "system:bootstrappers:kubeadm:default-node-token";

const RBAC = (resource: string): ResourceRef => ({
  group: "rbac.authorization.k8s.io",
  version: "v1",
  resource,
});
const CORE = (resource: string, namespace?: string): ResourceRef => ({
  group: "",
  version: "v1",
  resource,
  namespace,
});

function binding(name: string, role: string, group: string) {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
  };
}

/**
 * What `kubeadm init` writes besides the static pods: the bootstrap token, the RBAC that lets
 * bootstrapping kubelets create client CSRs which the controller-manager then approves (seed 001),
 * the kubeadm-config ConfigMap and kube-public/cluster-info.
 */
export async function applyKubeadmObjects(
  cluster: TestCluster,
  { certSANs = [] as string[], now = new Date() } = {},
): Promise<void> {
  // As kubeadm does: super-admin.conf (system:masters) binds kubeadm:cluster-admins, the group
  // of admin.conf, to cluster-admin; everything else is then written as that admin.
  const superAdmin = await clientFor(cluster.pki.kubeconfig.superAdmin);
  try {
    await superAdmin.create(
      RBAC("clusterrolebindings"),
      binding("kubeadm:cluster-admins", "cluster-admin", "kubeadm:cluster-admins"),
    );
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
  const client = await cluster.admin();
  const create = async (ref: ResourceRef, body: unknown) => {
    try {
      await client.create(ref, body);
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  };
  const [, secret] = BOOTSTRAP_TOKEN.split(".");
  await create(CORE("secrets", "kube-system"), {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `bootstrap-token-${BOOTSTRAP_TOKEN_ID}`, namespace: "kube-system" },
    type: "bootstrap.kubernetes.io/token",
    stringData: {
      "token-id": BOOTSTRAP_TOKEN_ID,
      "token-secret": secret,
      expiration: metaTime(new Date(now.getTime() + 24 * 3_600_000)),
      "usage-bootstrap-authentication": "true",
      "usage-bootstrap-signing": "true",
      "auth-extra-groups": BOOTSTRAPPERS,
    },
  });
  await create(
    RBAC("clusterrolebindings"),
    binding("kubeadm:kubelet-bootstrap", "system:node-bootstrapper", BOOTSTRAPPERS),
  );
  await create(
    RBAC("clusterrolebindings"),
    binding(
      "kubeadm:node-autoapprove-bootstrap",
      "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
      BOOTSTRAPPERS,
    ),
  );
  await create(
    RBAC("clusterrolebindings"),
    binding(
      "kubeadm:node-autoapprove-certificate-rotation",
      "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
      "system:nodes",
    ),
  );
  await create(RBAC("clusterroles"), {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "kubeadm:get-nodes" },
    rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }],
  });
  await create(RBAC("clusterrolebindings"), binding("kubeadm:get-nodes", "kubeadm:get-nodes", BOOTSTRAPPERS));

  const caData = readFileSync(path.join(cluster.pki.pkiDir, "ca.crt")).toString("base64");
  await create(CORE("configmaps", "kube-public"), {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cluster-info", namespace: "kube-public" },
    data: {
      kubeconfig: dump({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "", cluster: { server: cluster.server, "certificate-authority-data": caData } }],
        contexts: [],
        users: [],
        preferences: {},
      }),
    },
  });
  await create(CORE("configmaps", "kube-system"), {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "kubeadm-config", namespace: "kube-system" },
    data: {
      ClusterConfiguration: dump({
        apiVersion: "kubeadm.k8s.io/v1beta4",
        kind: "ClusterConfiguration",
        clusterName: "kubernetes",
        controlPlaneEndpoint: `${cluster.controlPlaneIp}:6443`,
        apiServer: { certSANs },
        certificatesDir: cluster.pki.pkiDir,
        etcd: { local: { dataDir: path.join(cluster.root, "etcd") } },
        networking: { dnsDomain: "cluster.local", serviceSubnet: "10.96.0.0/12", podSubnet: "10.244.0.0/16" },
      }),
    },
  });
}
