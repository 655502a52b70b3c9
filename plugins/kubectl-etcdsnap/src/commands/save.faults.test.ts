import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CuttingProxy } from "../etcd/testing.js";
import {
  type EtcdTools,
  etcdTools,
  Gateway,
  noise,
  type RunningEtcd,
  startEtcd,
} from "../snapshot/testing.js";
import { type Ran, runEtcdsnap } from "../testing.js";

const run = promisify(execFile);
const TRIALS = 20;

// Faults during `kubectl etcdsnap save` against a real etcd 3.6 on loopback: the connection cut
// by a TCP proxy at a chosen byte, etcd killed at a chosen byte, a full disk, an alarm, a dead
// endpoint. Every one must exit 3 with one error line and leave no file behind.
describe("etcdsnap save under faults", () => {
  let root: string;
  let tools: EtcdTools;
  let etcd: RunningEtcd;
  let proxy: CuttingProxy;
  let snapshotSize = 0;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "kubemend-etcdsnap-faults-"));
    const t = await etcdTools("3.6");
    if (typeof t === "string") throw new Error(t);
    tools = t;
    etcd = await startEtcd(tools, path.join(root, "data"));
    const gw = new Gateway(etcd.url);
    // About 4 MiB of incompressible values, so a cut can land anywhere in a long stream.
    for (let t = 0; t < 32; t++)
      await gw.putMany(
        Array.from({ length: 128 }, (_, i): [string, Buffer] => [
          `/registry/k/${t}-${i}`,
          noise(t * 128 + i + 1, 1024),
        ]),
      );
    proxy = await CuttingProxy.start(etcd.url);
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await etcd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  const save = (dir: string, ...extra: string[]) =>
    runEtcdsnap(["save", "--dir", dir, "--endpoints", proxy.url, ...extra]);

  /** One "error:" line, optionally one hint line, nothing else (no stack). */
  const expectOneLineError = (r: Ran, pattern: RegExp) => {
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(pattern);
    expect(lines.length).toBeLessThanOrEqual(2);
    if (lines[1] !== undefined) expect(lines[1]).toMatch(/^ {2}hint: /);
  };

  const freshDir = async (name: string) => {
    const dir = path.join(root, name);
    await mkdir(dir);
    return dir;
  };

  it("saves through the proxy when nothing goes wrong", async () => {
    const dir = await freshDir("ok");
    proxy.disarm();
    const r = await save(dir, "-o", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { path: string; size: number; sha256: string; verified: boolean };
    expect(out.verified).toBe(true);
    expect((await stat(out.path)).mode & 0o777).toBe(0o600);
    snapshotSize = out.size;
    expect(snapshotSize).toBeGreaterThan(4 << 20);
    expect(snapshotSize % 512).toBe(32);
  });

  it(`never leaves a file when the connection is cut (${TRIALS} cut points)`, async () => {
    expect(snapshotSize).toBeGreaterThan(0);
    for (let i = 0; i < TRIALS; i++) {
      const dir = await freshDir(`cut-${i}`);
      // Spread over the stream, the last ones right at the end where the sha256 trailer travels.
      const at =
        i < TRIALS - 3
          ? 4096 + Math.floor(((snapshotSize - 4096) * i) / (TRIALS - 3))
          : snapshotSize - 200 + i * 40;
      proxy.arm(at);
      const r = await save(dir);
      expect(r.code, `cut at ${at}: ${r.stderr}`).toBe(3);
      expectOneLineError(r, /cannot reach etcd|snapshot stream|cut|no healthy etcd member/);
      expect(await readdir(dir), `cut at ${at}`).toEqual([]);
    }
    proxy.disarm();
  }, 300_000);

  it(`never leaves a file when etcd is killed mid-stream (${TRIALS} kill points)`, async () => {
    for (let i = 0; i < TRIALS; i++) {
      const dir = await freshDir(`kill-${i}`);
      const at = 8192 + Math.floor(((snapshotSize - 8192) * i) / TRIALS);
      const victim = etcd;
      proxy.arm(at, () => victim.child.kill("SIGKILL"));
      const r = await save(dir);
      expect(r.code, `kill at ${at}: ${r.stderr}`).toBe(3);
      expectOneLineError(r, /snapshot stream failed|cannot reach etcd|cut/);
      expect(await readdir(dir), `kill at ${at}`).toEqual([]);
      await victim.stop(true);
      etcd = await startEtcd(tools, path.join(root, "data"));
      proxy.target = etcd.url;
    }
    proxy.disarm();
  }, 600_000);

  it("leaves nothing under the final name when the disk fills up", async () => {
    const dir = await freshDir("full");
    await run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
    try {
      const file = path.join(dir, "snap.db");
      const r = await runEtcdsnap(["save", file, "--endpoints", proxy.url]);
      expect(r.code).toBe(3);
      expectOneLineError(r, /writing .*snap\.db\.part failed: no space left on the device/);
      expect(await readdir(dir)).toEqual([]);
      const byDir = await save(dir);
      expect(byDir.code).toBe(3);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await run("umount", [dir]);
    }
  });

  it("says which endpoint is unreachable", async () => {
    const dir = await freshDir("unreachable");
    const r = await runEtcdsnap(["save", "--dir", dir, "--endpoints", "http://127.0.0.1:1"]);
    expect(r.code).toBe(3);
    expectOneLineError(
      r,
      /^error: no healthy etcd member to snapshot: cannot reach etcd at http:\/\/127\.0\.0\.1:1: /,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses a member with an alarm and says which alarm", async () => {
    const full = await startEtcd(tools, path.join(root, "quota"), ["--quota-backend-bytes=1048576"]);
    try {
      const gw = new Gateway(full.url);
      for (let i = 0; i < 64; i++) {
        try {
          await gw.put(`/registry/fill/${i}`, noise(i + 7, 64 * 1024));
        } catch {
          break;
        }
      }
      const dir = await freshDir("alarm");
      const r = await runEtcdsnap(["save", "--dir", dir, "--endpoints", full.url]);
      expect(r.code).toBe(3);
      expectOneLineError(r, new RegExp(`no healthy etcd member to snapshot: ${full.url} reports .*NOSPACE`));
      expect(r.stderr).toContain("etcdctl alarm list");
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await full.stop();
    }
  });

  it("status of what the faults left: nothing to read, the good snapshot verifies", async () => {
    const [good] = await readdir(path.join(root, "ok"));
    const file = path.join(root, "ok", good as string);
    const r = await runEtcdsnap(["status", file, "-o", "json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { integrity: { ok: boolean }; fileSize: number };
    expect(s.integrity.ok).toBe(true);
    expect(s.fileSize).toBe(snapshotSize);
    expect(JSON.parse(await readFile(`${file}.json`, "utf8")).size).toBe(snapshotSize);
  });
});
