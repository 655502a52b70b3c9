// The objects `kubectl etcdsnap schedule` prints or applies: a CronJob that runs
// `kubectl-etcdsnap save --dir D --keep N` on a control-plane node, plus its ServiceAccount, the
// Role that lets it read kubeadm's cluster name, and (unless it goes into an existing namespace)
// a Namespace that admits it. Pure: options in, objects out.

import { VERSION } from "@kubemend/lib/version";

export const DEFAULT_NAMESPACE = "kubemend-system";
export const DEFAULT_IMAGE = `ghcr.io/kubemend/kubectl-etcdsnap:${VERSION}`;
export const DEFAULT_ENDPOINT = "https://127.0.0.1:2379";
export const DEFAULT_PKI = "/etc/kubernetes/pki/etcd";

/** Paths inside the container (the e2e test maps them to temporary directories). */
export const CONTAINER = {
  /** The multi-call binary's link (deploy/Dockerfile); it picks etcdsnap from its name. */
  binary: "/usr/local/bin/kubectl-etcdsnap",
  snapshots: "/var/lib/etcdsnap",
  /** $TMPDIR: an encrypted save verifies the plaintext here before only ciphertext is stored. */
  tmp: "/tmp",
} as const;

export type Storage = { hostPath: string } | { pvc: string };

export interface ScheduleOptions {
  name: string;
  namespace: string;
  /** Whether to include the Namespace object (not for kube-system or one that exists). */
  createNamespace: boolean;
  schedule: string;
  timeZone?: string;
  keep: number;
  image: string;
  storage: Storage;
  /** The etcd client URL as seen from the node (hostNetwork). */
  endpoints: string;
  /** The etcd PKI directory on the node, mounted read-only at the same path. */
  pkiDir: string;
  encryptTo: readonly string[];
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

const LABELS = { "app.kubernetes.io/name": "etcd-snapshot", "app.kubernetes.io/part-of": "kubemend" };
const CONTROL_PLANE = "node-role.kubernetes.io/control-plane";

/** The container's command and args: the entry point the e2e test runs as a process. */
export function entrypoint(o: ScheduleOptions): { command: string[]; args: string[] } {
  const pki = (f: string) => `${o.pkiDir}/${f}`;
  return {
    command: [CONTAINER.binary],
    // One process rather than `save && prune`: the image has no shell, and prune runs only after
    // a verified save, with that snapshot known good so it is not read a second time.
    args: [
      "save",
      "--dir",
      CONTAINER.snapshots,
      "--keep",
      String(o.keep),
      "--endpoints",
      o.endpoints,
      "--cacert",
      pki("ca.crt"),
      "--cert",
      pki("healthcheck-client.crt"),
      "--key",
      pki("healthcheck-client.key"),
      ...o.encryptTo.flatMap((r) => ["--encrypt-to", r]),
    ],
  };
}

export function scheduleManifests(o: ScheduleOptions): Manifest[] {
  const meta = (name: string, namespace?: string) => ({
    name,
    ...(namespace !== undefined && { namespace }),
    labels: { ...LABELS },
  });
  const objects: Manifest[] = [];
  if (o.createNamespace)
    objects.push({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        ...meta(o.namespace),
        // hostNetwork, hostPath and root (below) are what the privileged level allows; baseline
        // and restricted would reject the pods.
        labels: { ...LABELS, "pod-security.kubernetes.io/enforce": "privileged" },
      },
    });
  objects.push(
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(o.name, o.namespace) },
    {
      // Only kubeadm's ClusterConfiguration, for the cluster name in the file names; /version is
      // public. etcd itself is reached with its own client certificate, not through RBAC.
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: meta(`kubemend:${o.name}`, "kube-system"),
      rules: [
        { apiGroups: [""], resources: ["configmaps"], resourceNames: ["kubeadm-config"], verbs: ["get"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta(`kubemend:${o.name}`, "kube-system"),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `kubemend:${o.name}` },
      subjects: [{ kind: "ServiceAccount", name: o.name, namespace: o.namespace }],
    },
    cronJob(o, meta(o.name, o.namespace)),
  );
  return objects;
}

function cronJob(o: ScheduleOptions, metadata: Manifest["metadata"]): Manifest {
  const { command, args } = entrypoint(o);
  const snapshots =
    "hostPath" in o.storage
      ? { hostPath: { path: o.storage.hostPath, type: "DirectoryOrCreate" } }
      : { persistentVolumeClaim: { claimName: o.storage.pvc } };
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata,
    spec: {
      schedule: o.schedule,
      ...(o.timeZone !== undefined && { timeZone: o.timeZone }),
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: { ...LABELS } },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 3600,
          template: {
            metadata: { labels: { ...LABELS } },
            spec: {
              serviceAccountName: o.name,
              restartPolicy: "Never",
              // etcd listens on the node (127.0.0.1 and its address), not on a pod network.
              hostNetwork: true,
              dnsPolicy: "ClusterFirstWithHostNet",
              nodeSelector: { [CONTROL_PLANE]: "" },
              tolerations: [
                { key: CONTROL_PLANE, operator: "Exists", effect: "NoSchedule" },
                { key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" },
              ],
              // Root, because kubeadm writes the etcd client key root-owned with mode 0600 and
              // capabilities given to a non-root user are not effective in Kubernetes containers
              // (no ambient set). Root here has no capabilities at all: owner bits let it read the
              // key and write the root-owned snapshot directory, and nothing else.
              securityContext: {
                runAsUser: 0,
                runAsGroup: 0,
                runAsNonRoot: false,
                seccompProfile: { type: "RuntimeDefault" },
              },
              containers: [
                {
                  name: "save",
                  image: o.image,
                  command,
                  args,
                  env: [
                    // The image's default plugin is set at build time; this job is etcdsnap's.
                    { name: "KUBEMEND_PLUGIN", value: "etcdsnap" },
                    { name: "TMPDIR", value: CONTAINER.tmp },
                  ],
                  resources: {
                    requests: { cpu: "100m", memory: "128Mi" },
                    // save streams: its peak RSS stays near 150 MB whatever the database size.
                    limits: { memory: "512Mi" },
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                  },
                  volumeMounts: [
                    { name: "etcd-pki", mountPath: o.pkiDir, readOnly: true },
                    { name: "snapshots", mountPath: CONTAINER.snapshots },
                    { name: "tmp", mountPath: CONTAINER.tmp },
                  ],
                },
              ],
              volumes: [
                { name: "etcd-pki", hostPath: { path: o.pkiDir, type: "Directory" } },
                { name: "snapshots", ...snapshots },
                { name: "tmp", emptyDir: {} },
              ],
            },
          },
        },
      },
    },
  };
}
