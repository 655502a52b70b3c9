import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BoltError, openBolt } from "../bbolt/reader.js";
import { MvccError } from "../mvcc/revision.js";
import { type SnapshotStatus, snapshotStatus } from "./status.js";
import { etcdSnapshot } from "./testing.js";

const DEADLINE_MS = 2_000;

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function withDeadline<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Reads every entry of every bucket; only the reader's typed errors may escape. */
async function readAll(file: string): Promise<void> {
  let r: Awaited<ReturnType<typeof openBolt>> | undefined;
  try {
    r = await openBolt(file);
    const names: Uint8Array[] = [];
    for await (const b of r.buckets()) names.push(b);
    for (const b of names) for await (const _ of r.cursor(b));
    await r.check();
  } catch (err) {
    if (!(err instanceof BoltError || err instanceof MvccError)) throw err;
  } finally {
    await r?.close();
  }
}

describe("snapshotStatus under damage (fuzz)", () => {
  let dir: string;
  let original: Buffer;
  let skip: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "kubemend-fuzz-"));
    const fx = await etcdSnapshot("3.6", "tiny");
    if (typeof fx === "string") skip = fx;
    else original = await readFile(fx.snapshot);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("the undamaged snapshot is sound", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const f = path.join(dir, "orig.snap");
    await writeFile(f, original);
    const s = await snapshotStatus(f, { requireTrailer: true });
    expect(s.integrity.ok).toBe(true);
    expect(original.length % 512).toBe(32);
  });

  it("flags every single-bit flip (800 cases) through the sha256 trailer, never throwing or hanging", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const next = rng(0x5eed);
    const f = path.join(dir, "flip.snap");
    const bare = path.join(dir, "flip.db");
    const pageSize = 4096;
    let boltCaught = 0;
    for (let n = 0; n < 800; n++) {
      // Half anywhere, half in page headers and element tables where the structure lives.
      const pos =
        n % 2 === 0
          ? Math.floor(next() * original.length)
          : Math.floor(next() * Math.floor(original.length / pageSize)) * pageSize + Math.floor(next() * 96);
      const bit = 1 << Math.floor(next() * 8);
      const bytes = Buffer.from(original);
      bytes.writeUInt8(bytes.readUInt8(pos) ^ bit, pos);
      await writeFile(f, bytes);
      const what = `flip byte ${pos} bit ${bit}`;
      const s: SnapshotStatus = await withDeadline(snapshotStatus(f), what);
      expect(s.integrity.ok, what).toBe(false);
      expect(s.integrity.sha256?.match, what).toBe(false);
      // Without the trailer only the structure checks can notice; they must not crash either.
      await writeFile(bare, bytes.subarray(0, bytes.length - 32));
      const b = await withDeadline(snapshotStatus(bare), `${what} (no trailer)`);
      if (!b.integrity.ok) boltCaught++;
      await withDeadline(readAll(bare), `${what} (read all)`);
    }
    expect(boltCaught).toBeGreaterThan(0);
  }, 300_000);

  it("fails every truncation (300 cases) when a trailer is required, never throwing or hanging", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const next = rng(0xc0ffee);
    const f = path.join(dir, "cut.snap");
    const n = original.length;
    const lengths = [0, 1, 16, 80, 4095, 4096, 4097, 8192, n - 512, n - 33, n - 32, n - 31, n - 1];
    while (lengths.length < 300) lengths.push(Math.floor(next() * n));
    for (const len of lengths) {
      await writeFile(f, original.subarray(0, len));
      const s = await withDeadline(snapshotStatus(f, { requireTrailer: true }), `truncate to ${len}`);
      expect(s.integrity.ok, `truncate to ${len}`).toBe(false);
      await withDeadline(readAll(f), `truncate to ${len} (read all)`);
    }
  }, 300_000);
});
