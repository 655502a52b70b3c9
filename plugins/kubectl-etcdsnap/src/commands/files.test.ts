import { copyFile, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etcdSnapshot } from "../snapshot/testing.js";
import { runEtcdsnap } from "../testing.js";

// The commands that work on snapshot files alone (status, list, prune, restore-plan without a
// cluster), run in-process on real etcd 3.6 snapshots.
describe("status, list, prune and restore-plan on files", () => {
  let dir: string;
  let original: Buffer;
  let skip: string | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "kubemend-etcdsnap-files-"));
    const fx = await etcdSnapshot("3.6", "tiny");
    if (typeof fx === "string") skip = fx;
    else original = await readFile(fx.snapshot);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, bytes: Uint8Array, day?: number) => {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    if (day !== undefined)
      await utimes(file, new Date(Date.UTC(2024, 0, day)), new Date(Date.UTC(2024, 0, day)));
    return file;
  };

  it("status: exit 0 for a sound snapshot, 1 for every damaged one (150 bit flips and cuts), 2 for a non-snapshot", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const good = await write("good.db", original);
    const ok = await runEtcdsnap(["status", good, "-o", "json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).integrity.ok).toBe(true);
    let x = 0x12345;
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 0x1_0000_0000;
    };
    const bad = path.join(dir, "bad.db");
    for (let n = 0; n < 150; n++) {
      const bytes = Buffer.from(original);
      let what: string;
      if (n % 3 === 0) {
        const len = 4096 + Math.floor(next() * (original.length - 4097));
        what = `cut to ${len}`;
        await writeFile(bad, bytes.subarray(0, len));
      } else {
        const pos = Math.floor(next() * original.length);
        what = `flip at ${pos}`;
        bytes.writeUInt8(bytes.readUInt8(pos) ^ (1 << (n % 8)), pos);
        await writeFile(bad, bytes);
      }
      const r = await runEtcdsnap(["status", bad]);
      expect(r.code, `${what}: ${r.stderr}`).toBe(1);
      expect(r.stdout, what).toMatch(/^Integrity: +FAILED: /m);
    }
    const text = await write("notes.txt", Buffer.from("not a snapshot\n".repeat(600)));
    const notSnap = await runEtcdsnap(["status", text]);
    expect(notSnap.code).toBe(2);
    expect(notSnap.stderr.split("\n")[0]).toMatch(/^error: .*notes\.txt is not an etcd snapshot: /);
    const missing = await runEtcdsnap(["status", path.join(dir, "nope.db")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split("\n")[0]).toBe(
      `error: cannot open ${path.join(dir, "nope.db")}: no such file`,
    );
    await rm(good);
    await rm(bad);
    await rm(text);
  }, 120_000);

  it("status prints '-' (JSON null) for what a file bbolt cannot read through never gave, not zeros", async (ctx) => {
    if (skip) return ctx.skip(skip);
    // The two meta pages and nothing else: a bbolt file whose tree is cut off.
    const cut = await write("cut.db", original.subarray(0, 8192));
    const r = await runEtcdsnap(["status", cut]);
    expect(r.code).toBe(1);
    for (const field of ["Hash", "Revision", "Total keys", "Total size", "Version"])
      expect(r.stdout, field).toMatch(new RegExp(`^${field}: +-$`, "m"));
    expect(r.stdout).toMatch(/^Integrity: +FAILED: /m);
    const json = JSON.parse((await runEtcdsnap(["status", cut, "-o", "json"])).stdout);
    expect([json.hash, json.revision, json.totalKey, json.totalSize, json.version]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(json.fileSize).toBe(8192);
    // A sound file still shows what it read.
    const sound = await write("good2.db", original);
    expect((await runEtcdsnap(["status", sound])).stdout).toMatch(/^Revision: +[1-9]\d*$/m);
    await rm(cut);
    await rm(sound);
  }, 60_000);

  it("list shows age, revision and state; --verify re-checks; prune keeps the only good one", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const flipped = Buffer.from(original);
    flipped.writeUInt8(flipped.readUInt8(100) ^ 1, 100);
    await write("a-old-good.db", original, 1);
    await write("b-mid-bad.db", flipped, 2);
    await write("c-new-bad.db", flipped, 3);
    const now = new Date(Date.UTC(2024, 0, 4));
    const listed = await runEtcdsnap(["list", "--dir", dir, "--verify"], {}, now);
    expect(listed.code).toBe(1);
    const rows = listed.stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^NAME\s+AGE\s+REVISION\s+SIZE\s+ENCRYPTED\s+VERIFIED$/);
    expect(rows[1]).toMatch(/^c-new-bad\.db\s+24h\s+-\s+\S+ KiB\s+no\s+FAILED: sha256 /);
    expect(rows[3]).toMatch(/^a-old-good\.db\s+3d\s+-\s+\S+ KiB\s+no\s+yes$/);
    const dry = await runEtcdsnap(["prune", "--keep", "1", "--dir", dir, "--dry-run"]);
    expect(dry.stdout).toBe(
      "would remove b-mid-bad.db\nkept 2 snapshot(s); newest verified: a-old-good.db\n",
    );
    expect((await readdir(dir)).length).toBe(3);
    const pruned = await runEtcdsnap(["prune", "--keep", "1", "--dir", dir, "-o", "json"]);
    expect(pruned.code).toBe(0);
    expect(JSON.parse(pruned.stdout)).toEqual({
      dryRun: false,
      kept: [path.join(dir, "c-new-bad.db"), path.join(dir, "a-old-good.db")],
      removed: [path.join(dir, "b-mid-bad.db")],
    });
    expect((await readdir(dir)).sort()).toEqual(["a-old-good.db", "c-new-bad.db"]);
    const zero = await runEtcdsnap(["prune", "--keep", "0", "--dir", dir]);
    expect(zero.code).toBe(2);
  });

  it("restore-plan without a cluster: the billion bump, and exit 1 with DO NOT RESTORE for a damaged file", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const good = path.join(dir, "plan.db");
    await copyFile(path.join(dir, "a-old-good.db"), good);
    const r = await runEtcdsnap(["restore-plan", good, "-o", "json"]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      bumpRevision: number;
      warnings: string[];
      rollback: { liveRevision: null };
    };
    expect(plan.bumpRevision).toBe(1_000_000_000);
    expect(plan.rollback.liveRevision).toBeNull();
    expect(plan.warnings.join("\n")).toContain(
      "of unknown age (no metadata beside it) and the live revision is unknown",
    );
    const damaged = await runEtcdsnap(["restore-plan", path.join(dir, "c-new-bad.db")]);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toMatch(/WARNING: DO NOT RESTORE THIS FILE: sha256 /);
  });
});
