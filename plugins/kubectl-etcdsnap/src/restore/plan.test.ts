import { describe, expect, it } from "vitest";
import type { EtcdMemberPod } from "../etcd/pods.js";
import { bumpFor, restorePlan, UNKNOWN_LIVE_BUMP } from "./plan.js";

const members: EtcdMemberPod[] = ["1", "2", "3"].map((n) => ({
  pod: `etcd-cp-${n}`,
  node: `cp-${n}`,
  name: `cp-${n}`,
  clientUrls: [`https://10.0.0.${n}:2379`],
  peerUrls: [`https://10.0.0.${n}:2380`],
  dataDir: "/var/lib/etcd",
}));

describe("restore plan", () => {
  const now = new Date("2024-05-04T03:00:00Z");
  const input = {
    file: "/backups/etcd-kubernetes-20240501T030000Z-rev1000.db",
    snapshot: { revision: 1000, clusterId: "aa", time: new Date("2024-05-01T03:00:00Z") },
    members,
    live: { revision: 51_000, clusterId: "aa" },
    now,
    margin: 10_000,
  };

  it("bumps by live − snapshot + margin, or by a billion when the live revision is unknown", () => {
    expect(bumpFor(1000, 51_000, 10_000).bump).toBe(60_000);
    expect(bumpFor(1000, undefined, 10_000).bump).toBe(UNKNOWN_LIVE_BUMP);
    expect(bumpFor(5000, 1000, 10).bump).toBe(10);
  });

  it("says in plain words how far back the snapshot goes (S1)", () => {
    const plan = restorePlan(input);
    expect(plan.rollback).toEqual({
      snapshotRevision: 1000,
      liveRevision: 51_000,
      revisionsBack: 50_000,
      takenAt: "2024-05-01T03:00:00.000Z",
      ageMs: 3 * 86_400_000,
    });
    expect(plan.warnings[0]).toMatch(
      /^This snapshot is 3d old and 50,000 revisions behind the live cluster \(snapshot 1000, live 51000\)\. Restoring it rolls the whole cluster back/,
    );
    expect(plan.warnings[1]).toContain("Services lose their endpoints");
    expect(restorePlan({ ...input, live: { revision: 51_000, clusterId: "bb" } }).warnings.at(-1)).toContain(
      "comes from etcd cluster aa, but the live cluster is bb",
    );
  });

  it("a snapshot newer than the live cluster is ahead of it, not '-N revisions behind', and restoring it rolls nothing back", () => {
    const plan = restorePlan({ ...input, live: { revision: 400, clusterId: "aa" } });
    expect(plan.warnings[0]).toMatch(
      /^This snapshot is 3d old and 600 revisions ahead of the live cluster \(snapshot 1000, live 400\)\. Restoring it replaces the whole cluster's state with the snapshot's/,
    );
    expect(plan.warnings.join(" ")).not.toMatch(/-\d+ revisions|rolls the whole cluster back/);
    expect(plan.warnings.at(-1)).toBe(
      "The snapshot is newer than the live cluster: it was taken from another cluster or after a restore.",
    );
  });

  it("orders the steps: API servers, etcd, restore, swap, etcd, API servers, controllers, kubelets", () => {
    const plan = restorePlan(input);
    const summary = plan.steps.map((s) => `${s.where}: ${s.what.split(" (")[0]?.split(",")[0]}`);
    expect(summary.slice(0, 6)).toEqual([
      "cp-1: stop kube-apiserver",
      "cp-2: stop kube-apiserver",
      "cp-3: stop kube-apiserver",
      "cp-1: stop etcd",
      "cp-2: stop etcd",
      "cp-3: stop etcd",
    ]);
    const restore = plan.steps[6]?.commands[0] ?? "";
    expect(restore.split(" \\\n    ")).toEqual([
      "etcdutl snapshot restore etcd-kubernetes-20240501T030000Z-rev1000.db",
      "--name cp-1",
      "--initial-cluster cp-1=https://10.0.0.1:2380,cp-2=https://10.0.0.2:2380,cp-3=https://10.0.0.3:2380",
      "--initial-cluster-token etcd-restore-20240504T030000Z",
      "--initial-advertise-peer-urls https://10.0.0.1:2380",
      "--data-dir /var/lib/etcd.restored-20240504T030000Z",
      "--bump-revision 60000",
      "--mark-compacted",
    ]);
    expect(plan.steps.at(-1)?.where).toBe("every node");
  });
});

describe("restore plan for a binary install", () => {
  const units = ["1", "2", "3"].map((n) => ({
    pod: `etcd (pid ${n}, etcd.service)`,
    node: `m${n}`,
    name: `etcd0${n}`,
    clientUrls: [`https://10.0.0.${n}:2379`],
    peerUrls: [`https://10.0.0.${n}:2380`],
    dataDir: "/var/lib/etcd/k8s-etcd",
    unit: {
      name: "etcd.service",
      file: "/etc/systemd/system/etcd.service",
      environmentFiles: ["/etc/etcd/etcd.conf"],
    },
    origin: { "data-dir": "ETCD_DATA_DIR", "initial-advertise-peer-urls": "--initial-advertise-peer-urls" },
  }));
  const plan = restorePlan({
    file: "/backups/snap.db",
    snapshot: { revision: 1000 },
    members: units,
    live: { revision: 2000, clusterId: "aa" },
    now: new Date("2024-05-04T03:00:00Z"),
    margin: 10,
  });

  it("stops and starts units with systemctl, never moves static pod manifests", () => {
    const commands = plan.steps.flatMap((s) => s.commands).join("\n");
    expect(commands).not.toMatch(/manifests|crictl/);
    expect(plan.steps.map((s) => [s.where, s.commands[0]?.split(" \\")[0]])).toEqual([
      ["every control-plane node", "systemctl stop kube-apiserver"],
      ["m1, member etcd01", "systemctl stop etcd.service"],
      ["m2, member etcd02", "systemctl stop etcd.service"],
      ["m3, member etcd03", "systemctl stop etcd.service"],
      ["m1, member etcd01", "etcdutl snapshot restore snap.db"],
      ["m2, member etcd02", "etcdutl snapshot restore snap.db"],
      ["m3, member etcd03", "etcdutl snapshot restore snap.db"],
      [
        "m1, member etcd01",
        "mv /var/lib/etcd/k8s-etcd /var/lib/etcd/k8s-etcd.before-restore-20240504T030000Z",
      ],
      [
        "m2, member etcd02",
        "mv /var/lib/etcd/k8s-etcd /var/lib/etcd/k8s-etcd.before-restore-20240504T030000Z",
      ],
      [
        "m3, member etcd03",
        "mv /var/lib/etcd/k8s-etcd /var/lib/etcd/k8s-etcd.before-restore-20240504T030000Z",
      ],
      ["m1, member etcd01", "systemctl start etcd.service"],
      ["m2, member etcd02", "systemctl start etcd.service"],
      ["m3, member etcd03", "systemctl start etcd.service"],
      [
        "any control-plane node",
        "etcdctl endpoint health --cluster   # with --endpoints/--cacert/--cert/--key as for etcdsnap save",
      ],
      ["every control-plane node", "systemctl start kube-apiserver"],
      ["every node", "systemctl restart kubelet kube-proxy"],
    ]);
  });

  it("restores each member with its own name and peer URL, the whole cluster, the bump and --mark-compacted", () => {
    const restore = plan.steps[5];
    expect(restore?.what).toBe(
      "restore member etcd02 into a new data dir beside /var/lib/etcd/k8s-etcd (ETCD_DATA_DIR in /etc/etcd/etcd.conf; copy snap.db to this node first)",
    );
    expect(restore?.commands[0]?.split(" \\\n    ")).toEqual([
      "etcdutl snapshot restore snap.db",
      "--name etcd02",
      "--initial-cluster etcd01=https://10.0.0.1:2380,etcd02=https://10.0.0.2:2380,etcd03=https://10.0.0.3:2380",
      "--initial-cluster-token etcd-restore-20240504T030000Z",
      "--initial-advertise-peer-urls https://10.0.0.2:2380",
      "--data-dir /var/lib/etcd/k8s-etcd.restored-20240504T030000Z",
      "--bump-revision 1010",
      "--mark-compacted",
    ]);
  });
});
