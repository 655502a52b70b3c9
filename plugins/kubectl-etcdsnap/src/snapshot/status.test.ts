import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { etcdutlJson, snapshotStatus } from "./status.js";
import { etcdSnapshot, etcdTools, etcdutlStatus, FLAVORS } from "./testing.js";

describe.each(FLAVORS)("snapshotStatus against etcd %s", (flavor) => {
  it("equals etcdutl 3.6 on this flavor's snapshot too (version is empty before 3.6)", async (ctx) => {
    const tools = await etcdTools("3.6");
    const fixture = await etcdSnapshot(flavor);
    if (typeof tools === "string" || typeof fixture === "string") {
      ctx.skip(typeof tools === "string" ? tools : (fixture as string));
      return;
    }
    const got = await snapshotStatus(fixture.snapshot);
    expect(etcdutlJson(got, "3.6")).toEqual(await etcdutlStatus(tools, fixture.snapshot));
    expect(got.version === "").toBe(flavor !== "3.6");
  }, 120_000);

  it("equals etcdutl snapshot status -w json, field by field, on a snapshot and a data dir db", async (ctx) => {
    const tools = await etcdTools(flavor);
    const fixture = await etcdSnapshot(flavor);
    if (typeof tools === "string" || typeof fixture === "string") {
      ctx.skip(typeof tools === "string" ? tools : (fixture as string));
      return;
    }
    for (const file of [fixture.snapshot, fixture.dataDb]) {
      const want = await etcdutlStatus(tools, file);
      const got = await snapshotStatus(file);
      expect(etcdutlJson(got, flavor)).toEqual(want);
    }
  }, 120_000);

  it("reports a matching trailer on snapshot save output and none on a data dir db", async (ctx) => {
    const fixture = await etcdSnapshot(flavor);
    if (typeof fixture === "string") return ctx.skip(fixture);
    const snap = await snapshotStatus(fixture.snapshot);
    expect(snap.integrity).toMatchObject({ ok: true, hasTrailer: true, mvccProblemCount: 0 });
    expect(snap.integrity.sha256?.match).toBe(true);
    expect(snap.fileSize).toBe(snap.totalSize + 32);
    const db = await snapshotStatus(fixture.dataDb);
    expect(db.integrity).toMatchObject({ ok: true, hasTrailer: false });
    expect(db.integrity.sha256).toBeUndefined();
    expect((await snapshotStatus(fixture.dataDb, { requireTrailer: true })).integrity.ok).toBe(false);
  }, 120_000);

  it("gives the same status when blocks are small, their buffers reused and hashed on the worker", async (ctx) => {
    const fixture = await etcdSnapshot(flavor);
    if (typeof fixture === "string") return ctx.skip(fixture);
    const plain = await snapshotStatus(fixture.snapshot);
    // 4 KiB blocks behind a 16 KiB cache: nearly every page read evicts a block and reuses its
    // buffer, and the worker hashes the shared blocks (then reads what it was not handed).
    const tight = await snapshotStatus(fixture.snapshot, {
      blockSize: 4096,
      cacheBytes: 16384,
      workerThreshold: 0,
    });
    expect(tight).toEqual(plain);
    expect(tight.integrity.sha256?.match).toBe(true);
  }, 120_000);

  it("follows a file while it is written, reading no byte before it is there", async (ctx) => {
    const fixture = await etcdSnapshot(flavor);
    if (typeof fixture === "string") return ctx.skip(fixture);
    const bytes = await readFile(fixture.snapshot);
    const plain = await snapshotStatus(fixture.snapshot);
    const dir = await mkdtemp(path.join(tmpdir(), "kubemend-follow-"));
    try {
      const file = path.join(dir, "growing.db");
      const fh = await open(file, "w");
      let done = 0;
      const waiting: { end: number; resolve(): void }[] = [];
      let furthest = 0;
      const followed = snapshotStatus(file, {
        size: bytes.length,
        blockSize: 4096,
        cacheBytes: 16384,
        written: (end) => {
          furthest = Math.max(furthest, end);
          return end <= done ? Promise.resolve() : new Promise((resolve) => waiting.push({ end, resolve }));
        },
      });
      // Written in 1000-byte steps (not page-aligned), one turn of the event loop apart.
      for (let at = 0; at < bytes.length; at += 1000) {
        const n = Math.min(1000, bytes.length - at);
        await fh.write(bytes, at, n, at);
        done = at + n;
        expect(furthest).toBeLessThanOrEqual(bytes.length);
        for (const w of waiting.splice(0)) (w.end <= done ? w.resolve : () => waiting.push(w))();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await fh.close();
      const got = await followed;
      expect(got).toEqual({ ...plain, integrity: { ...plain.integrity, sha256: got.integrity.sha256 } });
      expect(got.integrity.ok).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
