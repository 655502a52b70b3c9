import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BinaryCluster, startBinaryCluster } from "../env/binary-cluster.js";
import { kubectlPlugin } from "./plugins.js";

const run = promisify(execFile);

// kubectl etcdsnap on a binary install: no mirror pods, etcd members run by systemd units with
// ETCD_* EnvironmentFiles, the API server's --etcd-* flags naming the client certificate.

interface Metadata {
  path: string;
  endpoint: string;
  memberName: string;
  revision: number;
  verified: boolean;
}

describe("kubectl etcdsnap on a binary install", () => {
  let c: BinaryCluster;
  let dir: string;
  let snapshot: Metadata;
  beforeAll(async () => {
    c = await startBinaryCluster();
    dir = await mkdtemp(path.join(tmpdir(), "kubemend-etcdsnap-binary-"));
  }, 240_000);
  afterAll(async () => {
    await c?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const etcdsnap = (...args: string[]) =>
    kubectlPlugin(["etcdsnap", "--kubeconfig", c.adminKubeconfig, ...args]);

  it("save with no flags finds etcd from the node's processes and saves a verified 0600 snapshot", async () => {
    await c.kubectl(["create", "configmap", "binary-before", "--from-literal=state=before"]);
    const r = await etcdsnap("save", "--dir", dir, "-o", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    snapshot = JSON.parse(r.stdout) as Metadata;
    expect(c.etcd.map((m) => m.clientUrl)).toContain(snapshot.endpoint);
    expect(c.etcd.map((m) => m.name)).toContain(snapshot.memberName);
    expect(snapshot.verified).toBe(true);
    expect((await stat(snapshot.path)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual([
      path.basename(snapshot.path),
      `${path.basename(snapshot.path)}.json`,
    ]);
  });

  it("the snapshot is what etcdutl says it is", async () => {
    const { stdout } = await run(path.join(c.bin, "etcdutl"), [
      "snapshot",
      "status",
      "-w",
      "json",
      snapshot.path,
    ]);
    const etcdutl = JSON.parse(stdout.trim().split("\n").pop() as string) as Record<string, unknown>;
    expect(etcdutl.revision).toBe(snapshot.revision);
    const r = await etcdsnap("status", snapshot.path, "-o", "json");
    const ours = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const field of ["hash", "revision", "totalKey", "totalSize"])
      expect(ours[field], field).toEqual(etcdutl[field]);
  });
});
