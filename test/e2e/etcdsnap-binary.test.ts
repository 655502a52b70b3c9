import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BinaryCluster, startBinaryCluster } from "../env/binary-cluster.js";
import { waitFor } from "../env/process.js";
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

  it("restore-plan gives each of the 3 members its systemd steps, and following them brings the cluster back", async () => {
    await c.kubectl(["create", "configmap", "binary-after", "--from-literal=state=after"]);
    const r = await etcdsnap("restore-plan", snapshot.path, "-o", "json");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      bumpRevision: number;
      steps: { where: string; what: string; commands: string[] }[];
    };
    const all = plan.steps.flatMap((s) => s.commands).join("\n");
    expect(all).not.toMatch(/manifests|crictl/);
    for (const m of c.etcd) {
      const mine = plan.steps
        .filter((s) => s.where.endsWith(`member ${m.name}`))
        .map((s) => s.commands.join(" ").replaceAll(" \\\n    ", " "));
      expect(mine[0]).toBe("systemctl stop etcd.service");
      const restore = (mine[1] ?? "").split(" ");
      const value = (flag: string) => restore[restore.indexOf(flag) + 1];
      expect(restore.slice(0, 3)).toEqual(["etcdutl", "snapshot", "restore"]);
      expect(value("--name")).toBe(m.name);
      expect(value("--initial-advertise-peer-urls")).toBe(m.peerUrl);
      expect(value("--initial-cluster")).toBe(c.etcd.map((x) => `${x.name}=${x.peerUrl}`).join(","));
      expect(value("--data-dir")).toMatch(/^\/var\/lib\/etcd\/k8s-etcd\.restored-\d{8}T\d{6}Z$/);
      expect(value("--bump-revision")).toBe(String(plan.bumpRevision));
      expect(restore.at(-1)).toBe("--mark-compacted");
      expect(mine.at(-1)).toBe("systemctl start etcd.service");
    }
    const revisionBefore = await liveRevision();

    // Follow the plan as an operator would, step by step; systemctl is the env's.
    const m1 = c.nodes[0] as (typeof c.nodes)[number];
    const followed: string[] = [];
    for (const step of plan.steps) {
      const member = c.etcd.find((m) => step.where.endsWith(`member ${m.name}`));
      const node = member?.node ?? m1;
      for (const raw of step.commands) {
        const command = raw
          .replace(/\s*#.*$/, "")
          .replaceAll(" \\\n", " ")
          .trim();
        const argv = command.split(/\s+/);
        if (argv[0] === "systemctl") {
          for (const unit of argv.slice(2))
            if (await c.systemctl(node, argv[1] as "start" | "stop" | "restart", unit))
              followed.push(`${node.name}: systemctl ${argv[1]} ${unit}`);
        } else if (argv[0] === "etcdutl" || argv[0] === "mv") {
          if (argv[0] === "etcdutl")
            await copyFile(snapshot.path, c.file(node, `/var/lib/etcd/${path.basename(snapshot.path)}`));
          const done = await c.exec(node, argv, "/var/lib/etcd");
          expect(done, command).toMatchObject({ code: 0 });
          followed.push(`${node.name}: ${argv[0]}`);
        } else if (argv[0] === "etcdctl") {
          await waitFor(
            "every member healthy",
            async () =>
              (await etcdctl(node, "endpoint", "health", "--cluster")).code === 0 ? true : undefined,
            {
              timeoutMs: 60_000,
              intervalMs: 500,
            },
          );
          followed.push(`${node.name}: etcdctl endpoint health`);
        }
        // kubectl checks are the test's own, below.
      }
    }
    expect(followed.filter((f) => f.includes("etcdutl"))).toHaveLength(3);
    await waitFor(
      "the API server answers again",
      async () => ((await c.kubectl(["get", "--raw", "/readyz"])).code === 0 ? true : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 500,
      },
    );
    // The restored objects are served; what came after the snapshot is gone; the revision went up.
    expect(
      (await c.kubectl(["get", "configmap", "binary-before", "-o", "jsonpath={.data.state}"])).stdout,
    ).toBe("before");
    expect((await c.kubectl(["get", "configmap", "binary-after"])).stderr).toMatch(/NotFound/);
    expect(await liveRevision()).toBeGreaterThan(revisionBefore);
  });

  const etcdctl = (node: (typeof c.nodes)[number], ...args: string[]) =>
    c.exec(node, [
      "etcdctl",
      `--endpoints=${c.etcd.find((m) => m.node === node)?.clientUrl}`,
      "--cacert=/etc/etcd/ssl/ca.pem",
      "--cert=/etc/etcd/ssl/etcd.pem",
      "--key=/etc/etcd/ssl/etcd-key.pem",
      ...args,
    ]);
  const liveRevision = async () => {
    const r = await etcdctl(c.nodes[0] as (typeof c.nodes)[number], "endpoint", "status", "-w", "json");
    return (
      (JSON.parse(r.stdout) as { Status: { header: { revision: number } } }[])[0]?.Status.header.revision ?? 0
    );
  };
});
