import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Block, BlockFile } from "./blockfile.js";

// BlockFile on a real file with tiny blocks, so that every edge (a short last block, eviction,
// buffer reuse, a span over three blocks, the sink's order) is a few bytes away.
describe("BlockFile", () => {
  let dir: string;
  let file: string;
  /** 100 bytes, each its own offset: block n holds n*16 .. n*16+15. */
  const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "kubemend-blockfile-"));
    file = path.join(dir, "f");
    await writeFile(file, bytes);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const opened = async (options: ConstructorParameters<typeof BlockFile>[2] = {}) => {
    const fh = await open(file, "r");
    return { bf: new BlockFile(fh, bytes.length, { blockSize: 16, cacheBytes: 64, ...options }), fh };
  };

  it("reads the aligned block that holds an offset, the last one short, and knows where each came from", async () => {
    const { bf, fh } = await opened();
    const b = await bf.block(37);
    expect([b.start, [...b.buf]]).toEqual([32, [...bytes.subarray(32, 48)]]);
    expect(b.dv.getUint8(5)).toBe(37);
    expect(bf.offsetOf(b.buf)).toBe(32);
    const last = await bf.block(99);
    expect([last.start, last.buf.length, last.buf[3]]).toEqual([96, 4, 99]);
    expect(bf.cached(40)).toBe(b);
    expect(bf.cached(0)).toBeUndefined();
    await fh.close();
  });

  it("keeps at most cacheBytes of blocks (at least two), evicting the least recently used", async () => {
    const { bf, fh } = await opened({ cacheBytes: 64 });
    for (const at of [0, 16, 32, 48]) await bf.block(at);
    expect(bf.cachedBlocks).toBe(4);
    bf.cached(0); // a hit refreshes the block's recency once eviction is plausible
    await bf.block(64);
    expect(bf.cachedBlocks).toBe(4);
    expect(bf.cached(16)).toBeUndefined();
    expect(bf.cached(0)).toBeDefined();
    await fh.close();
    const tiny = await opened({ cacheBytes: 1 });
    for (const at of [0, 16, 32]) await tiny.bf.block(at);
    expect(tiny.bf.cachedBlocks).toBe(2);
    await tiny.fh.close();
  });

  it("reuses an evicted block's buffer only once no pin holds it, and never a kept one", async () => {
    const { bf, fh } = await opened({ cacheBytes: 32 });
    const pinned = await bf.block(0);
    bf.pin(pinned);
    const kept = await bf.block(16);
    bf.keep(kept);
    await bf.block(32); // evicts block 0 (pinned): its buffer stays
    await bf.block(48); // evicts block 1 (kept)
    await bf.block(64);
    expect([...pinned.buf]).toEqual([...bytes.subarray(0, 16)]);
    expect([...kept.buf]).toEqual([...bytes.subarray(16, 32)]);
    expect(pinned.evicted).toBe(true);
    const before = pinned.buf;
    bf.unpin(pinned); // now free for reuse: the next block read goes into it
    const next = await bf.block(32);
    expect(next.buf).toBe(before);
    expect([...next.buf]).toEqual([...bytes.subarray(32, 48)]);
    expect([...kept.buf]).toEqual([...bytes.subarray(16, 32)]);
    await fh.close();
  });

  it("span copies bytes across block boundaries, and stops at the end of the file", async () => {
    const { bf, fh } = await opened();
    const s = await bf.span(10, 40);
    expect([...s]).toEqual([...bytes.subarray(10, 50)]);
    expect(bf.offsetOf(s)).toBe(10);
    const tail = await bf.span(90, 20);
    expect([...tail]).toEqual([...bytes.subarray(90, 100)]);
    expect(bf.offsetOf(tail)).toBe(90);
    await fh.close();
  });

  it("readExact reads past no end: a short read at the end of the file, into a given buffer when it fits", async () => {
    const { bf, fh } = await opened();
    const into = Buffer.alloc(8);
    const r = await bf.readExact(4, 8, into);
    expect(r).toBe(into);
    expect([...r]).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    const wrongSize = Buffer.alloc(3);
    expect(await bf.readExact(4, 8, wrongSize)).not.toBe(wrongSize);
    const short = await bf.readExact(95, 10);
    expect([...short]).toEqual([95, 96, 97, 98, 99]);
    expect(bf.offsetOf(short)).toBe(95);
    await fh.close();
  });

  it("waits for bytes a writer has not written yet", async () => {
    const asked: number[] = [];
    const { bf, fh } = await opened({
      written: async (end) => {
        asked.push(end);
      },
    });
    await bf.readExact(90, 50);
    await bf.block(20);
    expect(asked).toEqual([100, 32]);
    await fh.close();
  });

  it("feeds a sink every block once, in file order, from the reads made anyway and then the rest", async () => {
    const { bf, fh } = await opened({ cacheBytes: 1024 });
    const fed: number[] = [];
    bf.feed({
      accept: async (b: Block) => {
        fed.push(b.start);
      },
    });
    await bf.block(20); // within the feed window: blocks 0 and 1 are fed on the way
    expect(fed.slice(0, 2)).toEqual([0, 16]);
    await bf.block(90); // far ahead: read on its own, fed later in order
    await bf.feedRest();
    expect(fed).toEqual([0, 16, 32, 48, 64, 80, 96]);
    await fh.close();
  });

  it("a read error rejects the read, and the block can be read again", async () => {
    const fh = await open(file, "r");
    let fail = true;
    const flaky = {
      read: (...args: Parameters<typeof fh.read>) => {
        if (fail) return Promise.reject(new Error("EIO"));
        return fh.read(...args);
      },
    } as unknown as typeof fh;
    const bf = new BlockFile(flaky, bytes.length, { blockSize: 16 });
    await expect(bf.block(0)).rejects.toThrow("EIO");
    fail = false;
    expect([...(await bf.block(0)).buf.subarray(0, 3)]).toEqual([0, 1, 2]);
    await fh.close();
  });
});
