import { readFileSync } from "node:fs";
import { loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import { runEtcdsnap } from "../testing.js";
import { type Manifest, type ScheduleOptions, scheduleManifests } from "./manifest.js";

// What the image must be, stated independently of manifest.ts: the release's own version.
const RELEASE = JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const IMAGE = `ghcr.io/kubemend/kubectl-etcdsnap:${RELEASE.version}`;

const base: ScheduleOptions = {
  name: "etcd-snapshot",
  namespace: "kubemend-system",
  createNamespace: true,
  schedule: "0 3 * * *",
  keep: 7,
  image: IMAGE,
  storage: { hostPath: "/var/backups/etcd" },
  endpoints: "https://127.0.0.1:2379",
  pkiDir: "/etc/kubernetes/pki/etcd",
  encryptTo: [],
};

// biome-ignore lint/suspicious/noExplicitAny: walking a manifest's nested fields
type Any = any;

const byKind = (objects: Manifest[], kind: string): Any => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};
const podOf = (objects: Manifest[]): Any => byKind(objects, "CronJob").spec.jobTemplate.spec.template.spec;

describe("scheduleManifests", () => {
  it("places the job on a control-plane node with the host network and the etcd PKI read-only", () => {
    const objects = scheduleManifests(base);
    expect(objects.map((o) => o.kind)).toEqual([
      "Namespace",
      "ServiceAccount",
      "Role",
      "RoleBinding",
      "CronJob",
    ]);
    const pod = podOf(objects);
    expect(pod.nodeSelector).toEqual({ "node-role.kubernetes.io/control-plane": "" });
    expect(pod.tolerations).toEqual([
      { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
      { key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" },
    ]);
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe("ClusterFirstWithHostNet");
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.serviceAccountName).toBe("etcd-snapshot");
    const [c] = pod.containers;
    expect(c.volumeMounts).toContainEqual({
      name: "etcd-pki",
      mountPath: "/etc/kubernetes/pki/etcd",
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({
      name: "etcd-pki",
      hostPath: { path: "/etc/kubernetes/pki/etcd", type: "Directory" },
    });
    expect(pod.volumes).toContainEqual({
      name: "snapshots",
      hostPath: { path: "/var/backups/etcd", type: "DirectoryOrCreate" },
    });
    expect(c.volumeMounts).toContainEqual({ name: "snapshots", mountPath: "/var/lib/etcdsnap" });
  });

  it("runs one save --keep with etcdctl's flags pointing into the mounted PKI", () => {
    const pod = podOf(scheduleManifests({ ...base, keep: 3, encryptTo: ["age1a", "age1b"] }));
    const [c] = pod.containers;
    expect(c.image).toBe(IMAGE);
    expect(c.command).toEqual(["/usr/local/bin/kubectl-etcdsnap"]);
    expect(c.args).toEqual([
      "save",
      "--dir",
      "/var/lib/etcdsnap",
      "--keep",
      "3",
      "--endpoints",
      "https://127.0.0.1:2379",
      "--cacert",
      "/etc/kubernetes/pki/etcd/ca.crt",
      "--cert",
      "/etc/kubernetes/pki/etcd/healthcheck-client.crt",
      "--key",
      "/etc/kubernetes/pki/etcd/healthcheck-client.key",
      "--encrypt-to",
      "age1a",
      "--encrypt-to",
      "age1b",
    ]);
    expect(c.env).toContainEqual({ name: "KUBEMEND_PLUGIN", value: "etcdsnap" });
    expect(c.env).toContainEqual({ name: "TMPDIR", value: "/tmp" });
  });

  it("forbids overlapping runs, bounds history and resources, and runs as capability-less root", () => {
    const cron = byKind(scheduleManifests(base), "CronJob");
    expect(cron.spec.schedule).toBe("0 3 * * *");
    expect(cron.spec.concurrencyPolicy).toBe("Forbid");
    expect(cron.spec.successfulJobsHistoryLimit).toBe(3);
    expect(cron.spec.failedJobsHistoryLimit).toBe(3);
    expect(cron.spec.timeZone).toBeUndefined();
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsUser: 0,
      runAsNonRoot: false,
      seccompProfile: { type: "RuntimeDefault" },
    });
    const [c] = pod.containers;
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(c.resources.requests).toEqual({ cpu: "100m", memory: "128Mi" });
    expect(c.resources.limits).toEqual({ memory: "512Mi" });
  });

  it("stores on a PVC, takes a time zone, and leaves the Namespace out when told to", () => {
    const objects = scheduleManifests({
      ...base,
      namespace: "kube-system",
      createNamespace: false,
      storage: { pvc: "etcd-backups" },
      timeZone: "Etc/UTC",
    });
    expect(objects.some((o) => o.kind === "Namespace")).toBe(false);
    const cron = byKind(objects, "CronJob");
    expect(cron.metadata.namespace).toBe("kube-system");
    expect(cron.spec.timeZone).toBe("Etc/UTC");
    expect(podOf(objects).volumes).toContainEqual({
      name: "snapshots",
      persistentVolumeClaim: { claimName: "etcd-backups" },
    });
    const binding = byKind(objects, "RoleBinding");
    expect(binding.metadata.namespace).toBe("kube-system");
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: "etcd-snapshot", namespace: "kube-system" },
    ]);
  });

  it("labels its own Namespace for privileged pods and grants only kubeadm-config", () => {
    const objects = scheduleManifests(base);
    expect(byKind(objects, "Namespace").metadata.labels["pod-security.kubernetes.io/enforce"]).toBe(
      "privileged",
    );
    expect(byKind(objects, "Role").rules).toEqual([
      { apiGroups: [""], resources: ["configmaps"], resourceNames: ["kubeadm-config"], verbs: ["get"] },
    ]);
  });
});

describe("kubectl etcdsnap schedule (printing)", () => {
  it("prints multi-document YAML and a JSON List with the flags applied", async () => {
    const y = await runEtcdsnap([
      "schedule",
      "-n",
      "backup",
      "--schedule",
      "*/30 * * * *",
      "--keep",
      "4",
      "--pvc",
      "snaps",
    ]);
    expect(y.stderr).toBe("");
    expect(y.code).toBe(0);
    const docs = loadAll(y.stdout) as Manifest[];
    expect(docs.map((d) => d.kind)).toEqual([
      "Namespace",
      "ServiceAccount",
      "Role",
      "RoleBinding",
      "CronJob",
    ]);
    const cron: Any = docs[4];
    expect(cron.metadata.namespace).toBe("backup");
    expect(cron.spec.schedule).toBe("*/30 * * * *");
    // With no --image, the CronJob runs this release's image.
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].image).toBe(IMAGE);
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].args.slice(0, 5)).toEqual([
      "save",
      "--dir",
      "/var/lib/etcdsnap",
      "--keep",
      "4",
    ]);
    const j = await runEtcdsnap(["schedule", "-n", "kube-system", "-o", "json"]);
    expect(j.code).toBe(0);
    const list = JSON.parse(j.stdout) as { kind: string; items: Manifest[] };
    expect(list.kind).toBe("List");
    expect(list.items.map((d) => d.kind)).toEqual(["ServiceAccount", "Role", "RoleBinding", "CronJob"]);
  });

  it.each([
    [["--host-path", "/a", "--pvc", "b"], /either --host-path or --pvc/],
    [["--host-path", "relative/dir"], /absolute path/],
    [["--schedule", "every day"], /not a cron schedule/],
    [["--keep", "0"], /--keep must be/],
    [["--name", "Etcd_Snap"], /not a valid CronJob name/],
    [["--encrypt-to", "ssh-ed25519 AAAA"], /not an age recipient/],
    [["--apply", "--dry-run", "maybe"], /invalid --dry-run/],
  ])("rejects %j with one line and exit 2", async (flags, message) => {
    const r = await runEtcdsnap(["schedule", ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toMatch(message);
  });
});
