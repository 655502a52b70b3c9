// The ordered restore steps, for a stacked (kubeadm) control plane of static pods or a binary
// install of systemd units, and what the restore undoes.
// It follows etcd's guidance for Kubernetes: restore with --bump-revision and --mark-compacted,
// so that the revision never goes backwards and every watcher (controllers, kube-proxy, CNI)
// gets "compacted" and lists afresh, instead of silently keeping state newer than etcd (S1).

import { formatDuration } from "@kubemend/lib/output/duration";
import { compactTime } from "../archive/metadata.js";
import type { EtcdMemberPod } from "../etcd/pods.js";

/** The bump when the live revision is unknown (etcd's own example for Kubernetes). */
export const UNKNOWN_LIVE_BUMP = 1_000_000_000;
/** Revisions written between the plan and the restore are covered by this much headroom. */
export const DEFAULT_MARGIN = 1_000_000;
export const MANIFESTS_DIR = "/etc/kubernetes/manifests";

export interface PlanInput {
  file: string;
  snapshot: { revision: number; clusterId?: string; time?: Date };
  members: readonly EtcdMemberPod[];
  live?: { revision: number; clusterId: string };
  now: Date;
  margin: number;
}

export interface PlanStep {
  /** "every control-plane node", a node name, or "every node". */
  where: string;
  what: string;
  commands: string[];
}

export interface Rollback {
  snapshotRevision: number;
  liveRevision: number | null;
  revisionsBack: number | null;
  takenAt: string | null;
  ageMs: number | null;
}

export interface RestorePlan {
  file: string;
  rollback: Rollback;
  bumpRevision: number;
  bumpReason: string;
  warnings: string[];
  steps: PlanStep[];
}

export function bumpFor(snapshotRevision: number, liveRevision: number | undefined, margin: number) {
  if (liveRevision === undefined)
    return {
      bump: UNKNOWN_LIVE_BUMP,
      reason: `the live revision is unknown, so the bump is ${UNKNOWN_LIVE_BUMP.toLocaleString("en-US")}`,
    };
  const bump = Math.max(liveRevision - snapshotRevision, 0) + margin;
  return {
    bump,
    reason: `live revision ${liveRevision} − snapshot revision ${snapshotRevision} + margin ${margin}`,
  };
}

export function restorePlan(input: PlanInput): RestorePlan {
  const { snapshot, live, now } = input;
  const { bump, reason } = bumpFor(snapshot.revision, live?.revision, input.margin);
  const ageMs = snapshot.time ? now.getTime() - snapshot.time.getTime() : null;
  const revisionsBack = live ? live.revision - snapshot.revision : null;
  const warnings = rollbackWarnings(snapshot, live, ageMs, revisionsBack);
  return {
    file: input.file,
    rollback: {
      snapshotRevision: snapshot.revision,
      liveRevision: live?.revision ?? null,
      revisionsBack,
      takenAt: snapshot.time?.toISOString() ?? null,
      ageMs,
    },
    bumpRevision: bump,
    bumpReason: reason,
    warnings,
    steps: steps(input, bump),
  };
}

function rollbackWarnings(
  snapshot: PlanInput["snapshot"],
  live: PlanInput["live"],
  ageMs: number | null,
  revisionsBack: number | null,
): string[] {
  const out: string[] = [];
  const age = ageMs === null ? "of unknown age (no metadata beside it)" : `${formatDuration(ageMs)} old`;
  const revisions = `(snapshot ${snapshot.revision}, live ${live?.revision})`;
  const ahead = revisionsBack !== null && revisionsBack < 0;
  const back =
    revisionsBack === null
      ? "the live revision is unknown (etcd did not answer)"
      : ahead
        ? `${(-revisionsBack).toLocaleString("en-US")} revisions ahead of the live cluster ${revisions}`
        : `${revisionsBack.toLocaleString("en-US")} revisions behind the live cluster ${revisions}`;
  out.push(
    ahead
      ? `This snapshot is ${age} and ${back}. Restoring it replaces the whole cluster's state with the snapshot's: objects only the live cluster has disappear, and the snapshot's objects come back as they were.`
      : `This snapshot is ${age} and ${back}. Restoring it rolls the whole cluster back to that moment: every object created since disappears, every object deleted since comes back, and every change since (Deployments, ConfigMaps, Secrets, RBAC, CRDs) is undone.`,
  );
  out.push(
    "What breaks until the cluster settles: pods scheduled since are unknown to the API server and may stay Pending or be duplicated; Endpoints and EndpointSlices go stale, so Services lose their endpoints and kube-proxy's iptables/IPVS rules go with them; a CNI that reaches the API server through the kubernetes Service (10.96.0.1) can time out; certificates and CSRs issued since are forgotten; node leases are old.",
  );
  out.push(
    "Without --bump-revision and --mark-compacted, every watcher (controllers, kube-proxy, the CNI) holds resourceVersions newer than etcd and silently misses changes; the plan bumps the revision and marks it compacted so they all re-list.",
  );
  if (live && snapshot.clusterId && live.clusterId !== snapshot.clusterId)
    out.push(
      `The snapshot comes from etcd cluster ${snapshot.clusterId}, but the live cluster is ${live.clusterId}: make sure it is the right cluster's backup.`,
    );
  if (ahead)
    out.push(
      "The snapshot is newer than the live cluster: it was taken from another cluster or after a restore.",
    );
  return out;
}

/** A member that systemd runs (a binary install), with its unit and where its settings come from. */
export interface SystemdMember extends EtcdMemberPod {
  unit: { name: string; file?: string; environmentFiles: string[] };
  origin: Record<string, string>;
}

function isSystemd(m: EtcdMemberPod): m is SystemdMember {
  return (m as Partial<SystemdMember>).unit !== undefined;
}

function steps(input: PlanInput, bump: number): PlanStep[] {
  if (input.members.length > 0 && input.members.every(isSystemd))
    return systemdSteps(input, input.members as SystemdMember[], bump);
  return staticPodSteps(input, bump);
}

/** The restore command of one member: into a new data dir beside its own, never over it. */
function restoreCommand(
  m: EtcdMemberPod,
  base: string,
  initialCluster: string,
  token: string,
  stamp: string,
  bump: number,
) {
  return [
    `etcdutl snapshot restore ${base}`,
    `--name ${m.name}`,
    `--initial-cluster ${initialCluster}`,
    `--initial-cluster-token ${token}`,
    `--initial-advertise-peer-urls ${m.peerUrls.join(",")}`,
    `--data-dir ${m.dataDir}.restored-${stamp}`,
    `--bump-revision ${bump}`,
    "--mark-compacted",
  ].join(" \\\n    ");
}

/**
 * A binary install: each member is a systemd unit (its data dir and peer URLs from its flags or
 * its EnvironmentFile), and so are the API server, the controller-manager and the scheduler.
 */
function systemdSteps(input: PlanInput, members: SystemdMember[], bump: number): PlanStep[] {
  const stamp = compactTime(input.now);
  const token = `etcd-restore-${stamp}`;
  const initialCluster = members.flatMap((m) => m.peerUrls.map((u) => `${m.name}=${u}`)).join(",");
  const base = input.file.split("/").pop() as string;
  const where = (m: SystemdMember) => `${m.node || "<node>"}, member ${m.name}`;
  const settingOf = (m: SystemdMember, name: string) => {
    const origin = m.origin[name] ?? `--${name}`;
    return origin.startsWith("--")
      ? `${origin} in ${m.unit.file ?? m.unit.name}`
      : `${origin} in ${m.unit.environmentFiles.join(" or ") || m.unit.name}`;
  };
  return [
    {
      where: "every control-plane node",
      what: "stop kube-apiserver, so nothing writes to etcd while it is restored",
      commands: ["systemctl stop kube-apiserver"],
    },
    ...members.map((m) => ({
      where: where(m),
      what: `stop etcd (unit ${m.unit.name})`,
      commands: [`systemctl stop ${m.unit.name}`],
    })),
    ...members.map((m) => ({
      where: where(m),
      what: `restore member ${m.name} into a new data dir beside ${m.dataDir} (${settingOf(m, "data-dir")}; copy ${base} to this node first)`,
      commands: [restoreCommand(m, base, initialCluster, token, stamp, bump)],
    })),
    ...members.map((m) => ({
      where: where(m),
      what: `swap ${m.name}'s data dir (the old one stays as ${m.dataDir}.before-restore-${stamp})`,
      commands: [
        `mv ${m.dataDir} ${m.dataDir}.before-restore-${stamp}`,
        `mv ${m.dataDir}.restored-${stamp} ${m.dataDir}`,
      ],
    })),
    ...members.map((m) => ({
      where: where(m),
      what: `start etcd (unit ${m.unit.name})`,
      commands: [`systemctl start ${m.unit.name}`],
    })),
    {
      where: "any control-plane node",
      what: "wait until every member is healthy",
      commands: [
        "etcdctl endpoint health --cluster   # with --endpoints/--cacert/--cert/--key as for etcdsnap save",
      ],
    },
    {
      where: "every control-plane node",
      what: "start kube-apiserver, then restart kube-controller-manager and kube-scheduler so they re-list everything",
      commands: [
        "systemctl start kube-apiserver",
        "systemctl restart kube-controller-manager kube-scheduler",
      ],
    },
    {
      where: "every node",
      what: "restart the kubelet and kube-proxy (and the CNI) so they resync with the restored state",
      commands: [
        "systemctl restart kubelet kube-proxy",
        "kubectl get nodes; kubectl get pods -A; kubectl netcheck svc <each important Service>",
      ],
    },
  ];
}

/** A stacked kubeadm control plane: etcd and the API server are static pods the kubelet runs. */
function staticPodSteps(input: PlanInput, bump: number): PlanStep[] {
  const members = input.members.length > 0 ? input.members : [placeholderMember()];
  const nodes = [...new Set(members.map((m) => m.node || "<node>"))];
  const stamp = compactTime(input.now);
  const token = `etcd-restore-${stamp}`;
  const initialCluster = members.flatMap((m) => m.peerUrls.map((u) => `${m.name}=${u}`)).join(",");
  const stopped = `${MANIFESTS_DIR}.stopped`;
  const move = (component: string, from: string, to: string) => `mv ${from}/${component}.yaml ${to}/`;
  const onEach = (what: string, commands: (node: string) => string[]) =>
    nodes.map((node) => ({ where: node, what, commands: commands(node) }));
  const memberOn = (node: string) => members.filter((m) => (m.node || "<node>") === node);
  const base = input.file.split("/").pop() as string;
  return [
    ...onEach(
      "stop kube-apiserver (the kubelet stops a static pod whose manifest leaves the directory)",
      () => [
        `mkdir -p ${stopped}`,
        move("kube-apiserver", MANIFESTS_DIR, stopped),
        "crictl ps --name kube-apiserver   # wait until it is gone",
      ],
    ),
    ...onEach("stop etcd", () => [
      move("etcd", MANIFESTS_DIR, stopped),
      "crictl ps --name etcd   # wait until it is gone",
    ]),
    ...nodes.flatMap((node) =>
      memberOn(node).map((m) => ({
        where: node,
        what: `restore member ${m.name} into a new data dir (copy ${base} to this node first)`,
        commands: [restoreCommand(m, base, initialCluster, token, stamp, bump)],
      })),
    ),
    ...nodes.flatMap((node) =>
      memberOn(node).map((m) => ({
        where: node,
        what: `swap ${m.name}'s data dir (the old one stays as ${m.dataDir}.before-restore-${stamp})`,
        commands: [
          `mv ${m.dataDir} ${m.dataDir}.before-restore-${stamp}`,
          `mv ${m.dataDir}.restored-${stamp} ${m.dataDir}`,
        ],
      })),
    ),
    ...onEach("start etcd, and wait until every member is healthy", () => [
      move("etcd", stopped, MANIFESTS_DIR),
      "etcdctl endpoint health --cluster   # with --endpoints/--cacert/--cert/--key as for etcdsnap save",
    ]),
    ...onEach("start kube-apiserver", () => [move("kube-apiserver", stopped, MANIFESTS_DIR)]),
    ...onEach("restart kube-controller-manager and kube-scheduler so they re-list everything", () => [
      move("kube-controller-manager", MANIFESTS_DIR, stopped),
      move("kube-scheduler", MANIFESTS_DIR, stopped),
      "sleep 20",
      move("kube-controller-manager", stopped, MANIFESTS_DIR),
      move("kube-scheduler", stopped, MANIFESTS_DIR),
    ]),
    {
      where: "every node",
      what: "restart the kubelet (and kube-proxy and the CNI pods) so they resync with the restored state",
      commands: [
        "systemctl restart kubelet",
        "kubectl -n kube-system rollout restart daemonset   # kube-proxy, CNI",
        "kubectl get nodes; kubectl get pods -A; kubectl netcheck svc <each important Service>",
      ],
    },
  ];
}

function placeholderMember(): EtcdMemberPod {
  return {
    pod: "",
    node: "<node>",
    name: "<member name>",
    clientUrls: [],
    peerUrls: ["https://<node address>:2380"],
    dataDir: "/var/lib/etcd",
  };
}
