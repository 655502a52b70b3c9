import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TestCluster } from "../env/cluster.js";
import type { Kubelet } from "../env/kubelet.js";
import { ENV_DIR } from "../env/paths.js";
import { startControlPlane } from "../env/scenarios.js";
import { kubectlPlugin, type RunResult } from "./plugins.js";

const run = promisify(execFile);
const VERSIONS = JSON.parse(readFileSync(path.join(ENV_DIR, "versions.json"), "utf8")) as Record<
  string,
  string
>;

interface Metadata {
  path: string;
  revision: number;
  sha256: string;
  size: number;
  endpoint: string;
  memberName: string;
  kubernetesVersion: string | null;
  etcdVersion: string;
  clusterId: string;
  verified: boolean;
}

// kubectl etcdsnap on the real control plane: etcd found from the mirror pods the real kubelet
// makes of kubeadm's manifests, snapshots checked against the real etcdutl, a restore started by a real etcd, and
// the S1 story (a snapshot, then changes, then a plan that says what the restore rolls back).
describe("kubectl etcdsnap", () => {
  let cluster: TestCluster;
  let node: Kubelet;
  let dir: string;
  let snapshot: Metadata;

  beforeAll(async () => {
    ({ cluster, node } = await startControlPlane());
    dir = await mkdtemp(path.join(tmpdir(), "kubemend-etcdsnap-e2e-"));
  });
  afterAll(async () => {
    await node?.stop();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const etcdsnap = (...args: string[]) =>
    kubectlPlugin(["etcdsnap", "--kubeconfig", cluster.adminKubeconfig, ...args]);
  const kubectl = async (...args: string[]) => {
    const r = await cluster.kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const etcdctl = (endpoint: string, ...args: string[]) =>
    run(path.join(cluster.bin, "etcdctl"), [`--endpoints=${endpoint}`, ...args]);
  const liveRevision = async () => {
    const { stdout } = await etcdctl(
      cluster.etcd.endpoint,
      `--cacert=${cluster.etcd.caFile}`,
      `--cert=${cluster.etcd.certFile}`,
      `--key=${cluster.etcd.keyFile}`,
      "endpoint",
      "status",
      "-w",
      "json",
    );
    return (
      (JSON.parse(stdout) as { Status: { header: { revision: number } } }[])[0]?.Status.header.revision ?? 0
    );
  };
  const oneErrorLine = (r: RunResult) => {
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^error: /);
    expect(lines.slice(1).every((l) => /^ {2}hint: /.test(l))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(2);
    return lines[0] as string;
  };

  it("finds etcd from the mirror pods with no flags and saves a verified 0600 snapshot with metadata", async () => {
    await kubectl("create", "configmap", "s1-before", "--from-literal=state=before");
    const r = await etcdsnap("save", "--dir", dir, "-o", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    snapshot = JSON.parse(r.stdout) as Metadata;
    expect(path.basename(snapshot.path)).toMatch(
      new RegExp(`^etcd-kubernetes-\\d{8}T\\d{6}Z-rev${snapshot.revision}\\.db$`),
    );
    expect(snapshot.endpoint).toBe(cluster.etcd.endpoint);
    expect(snapshot.memberName).toBe(cluster.nodeName);
    expect(snapshot.kubernetesVersion).toBe(VERSIONS.kubernetes);
    expect(`v${snapshot.etcdVersion}`).toBe(VERSIONS.etcd);
    expect(snapshot.verified).toBe(true);
    expect(snapshot.size % 512).toBe(32);
    expect((await stat(snapshot.path)).mode & 0o777).toBe(0o600);
    expect((await stat(`${snapshot.path}.json`)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual([
      path.basename(snapshot.path),
      `${path.basename(snapshot.path)}.json`,
    ]);
  });

  it("status equals the real etcdutl snapshot status (hash, revision, keys, size, version)", async () => {
    const { stdout } = await run(path.join(cluster.bin, "etcdutl"), [
      "snapshot",
      "status",
      "-w",
      "json",
      snapshot.path,
    ]);
    const etcdutl = JSON.parse(stdout.trim().split("\n").pop() as string) as Record<string, unknown>;
    const r = await etcdsnap("status", snapshot.path, "-o", "json");
    expect(r.code).toBe(0);
    const ours = JSON.parse(r.stdout) as Record<string, unknown> & { integrity: { ok: boolean } };
    expect(ours.integrity.ok).toBe(true);
    for (const field of ["hash", "revision", "totalKey", "totalSize", "version"])
      expect(ours[field], field).toEqual(etcdutl[field]);
    expect(ours.revision).toBe(snapshot.revision);
  });

  it("lists the snapshot with its revision and re-verifies it", async () => {
    const r = await etcdsnap("list", "--dir", dir, "--verify", "-o", "json");
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { items: { path: string; revision: number; state: string }[] };
    expect(list.items).toEqual([
      expect.objectContaining({ path: snapshot.path, revision: snapshot.revision, state: "verified" }),
    ]);
  });

  it("S1: after objects change, restore-plan names the rollback and bumps past the live revision", async () => {
    for (const name of ["s1-after-1", "s1-after-2"])
      await kubectl("create", "configmap", name, "--from-literal=state=after");
    await kubectl("delete", "configmap", "s1-before");
    const live = await liveRevision();
    expect(live).toBeGreaterThan(snapshot.revision);
    const r = await etcdsnap("restore-plan", snapshot.path, "-o", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      rollback: { snapshotRevision: number; liveRevision: number; revisionsBack: number; takenAt: string };
      bumpRevision: number;
      warnings: string[];
      steps: { where: string; what: string; commands: string[] }[];
    };
    expect(plan.rollback.snapshotRevision).toBe(snapshot.revision);
    expect(plan.rollback.liveRevision).toBeGreaterThanOrEqual(live);
    expect(plan.rollback.revisionsBack).toBe(plan.rollback.liveRevision - snapshot.revision);
    expect(plan.bumpRevision).toBe(plan.rollback.revisionsBack + 1_000_000);
    expect(plan.warnings[0]).toContain(
      `${plan.rollback.revisionsBack.toLocaleString("en-US")} revisions behind the live cluster`,
    );
    expect(plan.warnings[0]).toContain("every object deleted since comes back");
    const whats = plan.steps.map((s) => s.what);
    const order = [
      "stop kube-apiserver",
      "stop etcd",
      "restore member",
      "swap",
      "start etcd",
      "start kube-apiserver",
      "restart kube-controller-manager",
      "restart the kubelet",
    ];
    expect(order.map((o) => whats.findIndex((w) => w.startsWith(o)))).toEqual(order.map((_, i) => i));
    const restore = plan.steps[2]?.commands[0] ?? "";
    const ip = cluster.controlPlaneIp;
    expect(restore).toContain(`--name ${cluster.nodeName}`);
    expect(restore).toContain(`--initial-cluster ${cluster.nodeName}=https://${ip}:2380`);
    expect(restore).toContain(`--initial-advertise-peer-urls https://${ip}:2380`);
    expect(restore).toContain(`--data-dir ${path.join(cluster.root, "etcd")}.restored-`);
    expect(restore).toContain(`--bump-revision ${plan.bumpRevision}`);
    expect(restore).toContain("--mark-compacted");
    expect(plan.steps[0]?.where).toBe(cluster.nodeName);
    const table = await etcdsnap("restore-plan", snapshot.path);
    expect(table.stdout).toMatch(
      /WARNING: This snapshot is \S+ old and [\d,]+ revisions behind the live cluster/,
    );
  });

  it("restore bumps the revision; a real etcd on the restored dir reads the keys back above the live revision", async () => {
    const dataDir = path.join(dir, "restored");
    // An address of this cluster's own block that no node uses: its ports are free by construction.
    const host = cluster.nodeIp(99);
    const peerUrl = `http://${host}:2380`;
    const clientUrl = `http://${host}:2379`;
    const r = await etcdsnap(
      "restore",
      snapshot.path,
      "--data-dir",
      dataDir,
      "--etcdutl",
      path.join(cluster.bin, "etcdutl"),
      "--name",
      "restored",
      "--initial-cluster",
      `restored=${peerUrl}`,
      "--initial-advertise-peer-urls",
      peerUrl,
      "-o",
      "json",
    );
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { bumpRevision: number; snapshotRevision: number };
    const live = await liveRevision();
    expect(result.snapshotRevision).toBe(snapshot.revision);
    expect(result.bumpRevision).toBeGreaterThan(live - snapshot.revision);
    const etcd = spawn(
      path.join(cluster.bin, "etcd"),
      [
        "--name=restored",
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${clientUrl}`,
        `--advertise-client-urls=${clientUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=restored=${peerUrl}`,
      ],
      { stdio: "ignore" },
    );
    try {
      const status = await vi.waitFor(
        async () => {
          const { stdout } = await etcdctl(clientUrl, "endpoint", "status", "-w", "json");
          return (
            (JSON.parse(stdout) as { Status: { header: { revision: number } } }[])[0]?.Status.header
              .revision ?? 0
          );
        },
        { timeout: 30_000, interval: 300 },
      );
      expect(status).toBeGreaterThan(live);
      expect(status).toBe(snapshot.revision + result.bumpRevision);
      const keys = (
        await etcdctl(clientUrl, "get", "/registry/configmaps/default/", "--prefix", "--keys-only")
      ).stdout;
      expect(keys).toContain("/registry/configmaps/default/s1-before");
      expect(keys).not.toContain("s1-after");
    } finally {
      etcd.kill("SIGTERM");
      await new Promise((resolve) => etcd.once("exit", resolve));
    }
  });

  it("restore refuses a non-empty data dir, a damaged snapshot and a missing etcdutl", async () => {
    const r = await etcdsnap(
      "restore",
      snapshot.path,
      "--data-dir",
      dir,
      "--etcdutl",
      path.join(cluster.bin, "etcdutl"),
    );
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe(`error: refusing to restore into ${dir}: it is not empty`);
    const missing = await etcdsnap(
      "restore",
      snapshot.path,
      "--data-dir",
      path.join(dir, "x"),
      "--etcdutl",
      "/nonexistent/etcdutl",
    );
    expect(missing.code).toBe(3);
    expect(oneErrorLine(missing)).toBe("error: etcdutl /nonexistent/etcdutl is not an executable file");
    expect(missing.stderr).toContain("https://github.com/etcd-io/etcd/releases");
    const damaged = path.join(dir, "damaged.db");
    const bytes = await readFile(snapshot.path);
    bytes.writeUInt8(bytes.readUInt8(5000) ^ 0x10, 5000);
    await writeFile(damaged, bytes);
    const bad = await etcdsnap(
      "restore",
      damaged,
      "--data-dir",
      path.join(dir, "y"),
      "--etcdutl",
      path.join(cluster.bin, "etcdutl"),
    );
    expect(bad.code).toBe(2);
    expect(oneErrorLine(bad)).toMatch(
      /^error: refusing to restore .*damaged\.db: sha256 [0-9a-f]{64} does not match the trailer/,
    );
    await rm(damaged);
  });

  it("wrong certificates, an unreachable endpoint and a missing file each get one line naming them", async () => {
    const pki = cluster.pki.pkiDir;
    const target = path.join(dir, "bad");
    const wrongCa = await etcdsnap("save", target, "--cacert", path.join(pki, "front-proxy-ca.crt"));
    expect(wrongCa.code).toBe(3);
    expect(oneErrorLine(wrongCa)).toContain(
      `does not verify with the CA ${path.join(pki, "front-proxy-ca.crt")}`,
    );
    const kubelet = cluster.pki.path("apiserver-kubelet-client");
    const wrongCert = await etcdsnap("save", target, "--cert", kubelet.cert, "--key", kubelet.key);
    expect(wrongCert.code).toBe(3);
    expect(oneErrorLine(wrongCert)).toContain(`etcd refused the client certificate ${kubelet.cert}`);
    const unreachable = `https://10.2.${cluster.block}.99:2379`;
    const down = await etcdsnap("save", target, "--endpoints", unreachable);
    expect(down.code).toBe(3);
    expect(oneErrorLine(down)).toContain(`cannot reach etcd at ${unreachable}`);
    // Bad input is exit 2 before anything is asked, even with the API server (and so discovery) unreachable.
    const existing = path.join(dir, "existing.db");
    await writeFile(existing, "keep me");
    const taken = await etcdsnap("save", existing, "--server", `https://10.2.${cluster.block}.99:6443`);
    expect(taken.code).toBe(2);
    expect(oneErrorLine(taken)).toBe(`error: ${existing} already exists`);
    expect(await readFile(existing, "utf8")).toBe("keep me");
    const noKey = await etcdsnap("save", target, "--cert", kubelet.cert, "--key", "/nonexistent/client.key");
    expect(noKey.code).toBe(3);
    expect(oneErrorLine(noKey)).toBe(
      "error: cannot read the etcd client key /nonexistent/client.key (--key): no such file here",
    );
    expect((await readdir(dir)).filter((f) => f.startsWith("bad"))).toEqual([]);
  });
});
