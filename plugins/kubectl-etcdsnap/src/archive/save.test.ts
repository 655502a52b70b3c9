import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { IncompleteError } from "@kubemend/lib/cli/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBolt } from "../bbolt/reader.js";
import type { SnapshotResponse } from "../etcd/proto.js";
import { snapshotStatus } from "../snapshot/status.js";
import { etcdSnapshot } from "../snapshot/testing.js";
import { type SaveOptions, type SnapshotStream, saveSnapshot } from "./save.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "kubemend-save-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Feed {
  /** Bytes per message (etcd sends 32 KiB). */
  chunk?: number;
  /** What the first message says remains after it; default the truth. */
  remaining?: (truth: number) => number;
  /** Fail after this many bytes. */
  failAt?: number;
}

/** Maintenance/Snapshot as etcd streams it, from a file: the data, then its sha256 in the last message. */
function streamOf(bytes: Buffer, feed: Feed = {}): SnapshotStream {
  const chunk = feed.chunk ?? 32 << 10;
  let cancelled = false;
  async function* messages(): AsyncGenerator<SnapshotResponse> {
    for (let at = 0; at < bytes.length && !cancelled; at += chunk) {
      if (feed.failAt !== undefined && at >= feed.failAt) throw new Error("connection reset");
      // A turn of the event loop per message, as on a socket, so the check can run in between.
      await new Promise((resolve) => setImmediate(resolve));
      const blob = bytes.subarray(at, at + chunk);
      const truth = bytes.length - at - blob.length;
      const remainingBytes = at === 0 && feed.remaining ? feed.remaining(truth) : truth;
      yield { remainingBytes, blob, version: "" };
    }
  }
  return Object.assign(messages(), { cancel: () => (cancelled = true), on: () => undefined });
}

/** A snapshot's data with a fresh sha256 trailer, as etcd would send it. */
function withTrailer(data: Buffer): Buffer {
  return Buffer.concat([data, createHash("sha256").update(data).digest()]);
}

function options(name: string, stream: () => SnapshotStream): SaveOptions {
  const finalPath = path.join(dir, name);
  return {
    start: async () => stream(),
    partPath: `${finalPath}.part`,
    finalPath: () => finalPath,
    metadata: (s, file) => ({ file, revision: s.revision }) as never,
    streamError: (err) => new IncompleteError(`the snapshot stream failed: ${(err as Error).message}`),
  };
}

async function left(name: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.startsWith(name));
}

describe("saveSnapshot on a stream of a real etcd 3.6 snapshot", () => {
  async function fixture(ctx: { skip(why: string): void }): Promise<Buffer | undefined> {
    const fx = await etcdSnapshot("3.6", "small");
    if (typeof fx === "string") {
      ctx.skip(fx);
      return undefined;
    }
    return readFile(fx.snapshot);
  }

  it("checks the file while it is written and finds what status finds", async (ctx) => {
    const bytes = await fixture(ctx);
    if (bytes === undefined) return;
    const saved = await saveSnapshot(options("good.db", () => streamOf(bytes)));
    const again = await snapshotStatus(saved.path);
    expect(saved.status.integrity.ok).toBe(true);
    expect(saved.status.integrity.bolt?.reachablePages).toBeGreaterThan(2);
    expect({ ...saved.status, integrity: undefined }).toEqual({ ...again, integrity: undefined });
    expect((await stat(saved.path)).mode & 0o777).toBe(0o600);
    expect(await left("good.db")).toEqual(["good.db", "good.db.json"]);
  }, 120_000);

  it("still checks the whole file when etcd announces the wrong size", async (ctx) => {
    const bytes = await fixture(ctx);
    if (bytes === undefined) return;
    for (const [name, remaining] of [
      ["short.db", (t: number) => t - 4096],
      ["long.db", (t: number) => t + 4096],
    ] as const) {
      const saved = await saveSnapshot(options(name, () => streamOf(bytes, { remaining })));
      expect(saved.status.integrity.ok).toBe(true);
      expect(saved.status.revision).toBe((await snapshotStatus(saved.path)).revision);
    }
  }, 120_000);

  it("refuses a stream whose sha256 matches but whose pages are broken, and leaves nothing", async (ctx) => {
    const bytes = await fixture(ctx);
    if (bytes === undefined) return;
    const probe = path.join(dir, "probe.db");
    await import("node:fs/promises").then((fs) => fs.writeFile(probe, bytes));
    const r = await openBolt(probe);
    const root = (await r.resolve("key")).root;
    const pageSize = r.pageSize;
    await r.close();
    const data = Buffer.from(bytes.subarray(0, bytes.length - 32));
    data.writeUInt16LE(0x20, root * pageSize + 8); // the key bucket's root page gets an invalid type
    const err = await saveSnapshot(options("broken.db", () => streamOf(withTrailer(data)))).catch((e) => e);
    expect(err).toBeInstanceOf(IncompleteError);
    expect(String(err.message)).toMatch(/failed verification: bbolt structure check found \d+ problem/);
    expect(await left("broken.db")).toEqual([]);
  }, 120_000);

  it("ends the check that follows a stream that breaks, and leaves nothing", async (ctx) => {
    const bytes = await fixture(ctx);
    if (bytes === undefined) return;
    const err = await saveSnapshot(
      options("cut.db", () => streamOf(bytes, { failAt: bytes.length >> 1 })),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(IncompleteError);
    expect(String(err.message)).toMatch(/connection reset/);
    expect(await left("cut.db")).toEqual([]);
  }, 120_000);
});
