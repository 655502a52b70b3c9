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
});
