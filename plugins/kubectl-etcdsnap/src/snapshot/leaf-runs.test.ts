import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { LeafRuns } from "./leaf-runs.js";
import { etcdutlJson, snapshotStatus } from "./status.js";
import { etcdSnapshot, etcdTools, etcdutlStatus, FLAVORS } from "./testing.js";

function runsOf(bytes: Buffer, chunk: number): LeafRuns {
  const runs = new LeafRuns(bytes.length - 32);
  for (let at = 0; at < bytes.length; at += chunk) runs.push(bytes.subarray(at, at + chunk), at);
  return runs;
}

describe.each(FLAVORS)("LeafRuns on a real etcd %s snapshot", (flavor) => {
  it("gives the hash etcdutl gives, with the leaves' CRCs combined in instead of read", async (ctx) => {
    const tools = await etcdTools(flavor);
    const fixture = await etcdSnapshot(flavor);
    if (typeof tools === "string" || typeof fixture === "string") {
      ctx.skip(typeof tools === "string" ? tools : (fixture as string));
      return;
    }
    const bytes = await readFile(fixture.snapshot);
    const want = await etcdutlStatus(tools, fixture.snapshot);
    // 4 KiB chunks split the 300 KB value's leaf across many pushes; 1 MiB is what save feeds.
    // However the bytes are cut, the same leaves are known.
    const used: number[] = [];
    for (const chunk of [4096, 64 << 10, 1 << 20]) {
      const leafRuns = runsOf(bytes, chunk);
      const got = await snapshotStatus(fixture.snapshot, { leafRuns });
      expect(etcdutlJson(got, flavor), `chunks of ${chunk}`).toEqual(want);
      expect(got.integrity.ok).toBe(true);
      used.push(leafRuns.used);
    }
    expect(used[0]).toBeGreaterThan(10);
    expect(new Set(used).size).toBe(1);
  }, 120_000);
});

describe("LeafRuns", () => {
  it("is really used: a wrong CRC for a leaf changes the hash", async (ctx) => {
    const fixture = await etcdSnapshot("3.6");
    if (typeof fixture === "string") return ctx.skip(fixture);
    const bytes = await readFile(fixture.snapshot);
    const leafRuns = runsOf(bytes, 1 << 20);
    const right = await snapshotStatus(fixture.snapshot);
    const lying = {
      append: (crc: number, at: number, len: number) => {
        const right = leafRuns.append(crc, at, len);
        return right === undefined ? undefined : (right ^ 1) >>> 0;
      },
    };
    const got = await snapshotStatus(fixture.snapshot, { leafRuns: lying });
    expect(got.hash).not.toBe(right.hash);
    expect(got.revision).toBe(right.revision);
  }, 120_000);

  it("knows nothing when the chunks do not start on page boundaries or the file is not bbolt", async (ctx) => {
    const fixture = await etcdSnapshot("3.6");
    if (typeof fixture === "string") return ctx.skip(fixture);
    const bytes = await readFile(fixture.snapshot);
    const odd = runsOf(bytes, 1000);
    const want = await snapshotStatus(fixture.snapshot);
    expect((await snapshotStatus(fixture.snapshot, { leafRuns: odd })).hash).toBe(want.hash);
    expect(odd.used).toBe(0);
    const noise = runsOf(Buffer.alloc(1 << 16, 0x5a), 4096);
    expect(noise.append(0, 4096 + 16, 100)).toBeUndefined();
  }, 120_000);

  it("claims no CRC for page headers that do not hold together, whatever size is announced", async (ctx) => {
    const fixture = await etcdSnapshot("3.6");
    if (typeof fixture === "string") return ctx.skip(fixture);
    const bytes = Buffer.from(await readFile(fixture.snapshot));
    // Every page header after the metas says "leaf, page id N, huge overflow / count": the parser
    // must skip them, whatever the announced size (a bogus one must not allocate for it).
    for (let at = 8192; at + 16 <= bytes.length - 32; at += 4096) {
      bytes.writeUInt32LE(at / 4096, at);
      bytes.writeUInt16LE(0x02, at + 8);
      bytes.writeUInt16LE(0xffff, at + 10);
      bytes.writeUInt32LE(0xfffffff0, at + 12);
    }
    for (const size of [bytes.length - 32, 2 ** 50]) {
      const runs = new LeafRuns(size);
      for (let at = 0; at < bytes.length; at += 1 << 16) runs.push(bytes.subarray(at, at + (1 << 16)), at);
      for (let at = 8192; at < bytes.length; at += 4096) expect(runs.append(0, at + 16, 100)).toBeUndefined();
    }
  });
});
