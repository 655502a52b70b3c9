// The structure check and the scan against bbolt's own files, each damaged by hand in one place:
// every test names the exact problems bbolt's Tx.Check would report for that damage.

import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { BoltProblem } from "./check.js";
import { MAX_PROBLEMS } from "./check.js";
import { fnv64a } from "./layout.js";
import { type BoltReader, openBolt } from "./reader.js";
import { type BoltFixture, boltFixture } from "./testing.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "kubemend-bbolt-check-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function fixture(persistFreelist: boolean): Promise<BoltFixture> {
  const fx = await boltFixture(persistFreelist);
  if (typeof fx === "string") throw new Error(`no bbolt fixture: ${fx}`);
  return fx;
}

const HEADER = 16;
const META = HEADER; // the meta sits right after its page header
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A copy of a fixture, edited in place with a reader on the original for finding pages. */
async function damaged(
  name: string,
  persistFreelist: boolean,
  edit: (buf: Buffer, r: BoltReader) => Promise<void> | void,
): Promise<string> {
  const fx = await fixture(persistFreelist);
  const f = path.join(scratch, name);
  await copyFile(fx.file, f);
  const buf = await readFile(f);
  const r = await openBolt(fx.file);
  try {
    await edit(buf, r);
  } finally {
    await r.close();
  }
  await writeFile(f, buf);
  return f;
}

async function checkFile(file: string) {
  const r = await openBolt(file);
  try {
    return await r.check();
  } finally {
    await r.close();
  }
}

/** Rewrites a field of both meta pages and their checksums. */
function editMetas(buf: Buffer, pageSize: number, edit: (metaOff: number) => void): void {
  for (const page of [0, 1]) {
    const off = page * pageSize + META;
    edit(off);
    buf.writeBigUInt64LE(fnv64a(buf.subarray(off, off + 56)), off + 56);
  }
}

async function view(r: BoltReader, id: number) {
  const p = await r.page(id);
  if (typeof p === "string") throw new Error(p);
  return p;
}

/** The free page ids of the persisted freelist, in the page's order. */
async function freeIds(r: BoltReader): Promise<number[]> {
  const p = await view(r, r.meta.freelist);
  return Array.from({ length: p.count }, (_, i) => Number(p.dv.getBigUint64(p.base + HEADER + i * 8, true)));
}

/** The root leaf's element for a top-level bucket: file offsets of the element and its value. */
async function rootEntry(
  r: BoltReader,
  name: string,
): Promise<{ page: number; index: number; elem: number; value: number }> {
  const root = r.meta.root;
  const p = await view(r, root);
  if (p.flags !== 2) throw new Error("the fixture's root bucket is not a single leaf");
  for (let i = 0; i < p.count; i++) {
    const e = p.base + HEADER + i * 16;
    const pos = p.dv.getUint32(e + 4, true);
    const ksize = p.dv.getUint32(e + 8, true);
    const key = Buffer.from(p.buf.subarray(e + pos, e + pos + ksize)).toString();
    if (key === name)
      return {
        page: root,
        index: i,
        elem: root * r.pageSize + i * 16 + HEADER,
        value: root * r.pageSize + (e - p.base) + pos + ksize,
      };
  }
  throw new Error(`no bucket ${name} in the root`);
}

/** A branch page below the "big" bucket's root (its tree has three levels) and that branch's children, leaves. */
async function lowerBranch(r: BoltReader): Promise<{ root: number; children: number[] }> {
  const top = await bigTree(r);
  const id = top.children[0] as number;
  const p = await view(r, id);
  if (p.flags !== 1) throw new Error("big's tree has fewer than three levels");
  return {
    root: id,
    children: Array.from({ length: p.count }, (_, i) =>
      Number(p.dv.getBigUint64(p.base + HEADER + i * 16 + 8, true)),
    ),
  };
}

/** The "big" bucket's root (a branch page) and its children. */
async function bigTree(r: BoltReader): Promise<{ root: number; children: number[] }> {
  const { root } = await r.resolve("big");
  const p = await view(r, root);
  if (p.flags !== 1) throw new Error("big's root is not a branch");
  return {
    root,
    children: Array.from({ length: p.count }, (_, i) =>
      Number(p.dv.getBigUint64(p.base + HEADER + i * 16 + 8, true)),
    ),
  };
}

const unreachable = (ids: number[]): BoltProblem[] =>
  ids.map((i) => ({ code: "PAGE_UNREACHABLE_UNFREED", page: i, message: `page ${i}: unreachable unfreed` }));

describe.each([true, false])("scan of a healthy file (persisted freelist: %s)", (persist) => {
  it("visits every entry as bbolt lists it, with its depth, key, value and whether it is a bucket", async () => {
    const fx = await fixture(persist);
    const r = await openBolt(fx.file);
    const seen: { depth: number; key: string; value: string | null }[] = [];
    const res = await r.scan((depth, buf, keyOff, keyLen, valueOff, valueLen, isBucket) => {
      seen.push({
        depth,
        key: hex(buf.subarray(keyOff, keyOff + keyLen)),
        value: isBucket ? null : hex(buf.subarray(valueOff, valueOff + valueLen)),
      });
    });
    await r.close();
    expect(res.ok).toBe(true);
    expect(seen).toEqual(fx.entries.map((e) => ({ depth: e.path.length, key: e.key, value: e.value })));
  });

  it("releases every page it pins, and page() reads pin nothing", async () => {
    const fx = await fixture(persist);
    const r = await openBolt(fx.file, { blockSize: 4096, cacheBytes: 64 << 10 });
    const pin = vi.spyOn(r.file, "pin");
    const unpin = vi.spyOn(r.file, "unpin");
    expect((await r.check()).ok).toBe(true);
    expect(pin.mock.calls.length).toBeGreaterThan(10);
    expect(unpin.mock.calls.length).toBe(pin.mock.calls.length);
    pin.mockClear();
    for await (const _ of r.cursor("big"));
    expect(Buffer.from((await r.get(["nested", "child", "grand"], "deep")) ?? [])).toEqual(
      Buffer.from("value"),
    );
    expect(pin).not.toHaveBeenCalled();
    await r.close();
  });
});

describe("the persisted freelist", () => {
  it("a freelist page of another type: the freelist is not read, so every free page is unreachable unfreed", async () => {
    const fx = await fixture(true);
    const healthy = await checkFile(fx.file);
    let fl = 0;
    let free: number[] = [];
    const f = await damaged("fl-type.db", true, async (buf, r) => {
      fl = r.meta.freelist;
      free = await freeIds(r);
      buf.writeUInt16LE(0x02, fl * r.pageSize + 8);
    });
    const res = await checkFile(f);
    expect(free.length).toBe(healthy.freePages);
    expect(res.problems).toEqual(
      [
        { code: "FREELIST_INVALID", page: fl, message: `page ${fl}: freelist page has type leaf` },
        ...unreachable([...free].sort((a, b) => a - b)),
      ].slice(0, MAX_PROBLEMS),
    );
    expect([res.problemCount, res.freePages]).toEqual([1 + free.length, 0]);
  });

  it("a count that overruns the page, in the short and in the 0xffff form", async () => {
    let fl = 0;
    const short = await damaged("fl-count.db", true, (buf, r) => {
      fl = r.meta.freelist;
      buf.writeUInt16LE(0xfffe, fl * r.pageSize + 10);
    });
    const a = await checkFile(short);
    expect(a.problems[0]).toEqual({
      code: "FREELIST_INVALID",
      page: fl,
      message: `page ${fl}: 65534 free page ids overrun the page`,
    });
    expect(a.problems.slice(1).every((p) => p.code === "PAGE_UNREACHABLE_UNFREED")).toBe(true);

    const long = await damaged("fl-count64.db", true, (buf, r) => {
      buf.writeUInt16LE(0xffff, fl * r.pageSize + 10);
      buf.writeBigUInt64LE(1_000_000n, fl * r.pageSize + HEADER);
    });
    const b = await checkFile(long);
    expect(b.problems[0]).toEqual({
      code: "FREELIST_INVALID",
      page: fl,
      message: `page ${fl}: 1000000 free page ids overrun the page`,
    });
  });

  it("the 0xffff form reads its count from the first id slot, and the ids after it", async () => {
    let free: number[] = [];
    const f = await damaged("fl-long.db", true, async (buf, r) => {
      free = await freeIds(r);
      const at = r.meta.freelist * r.pageSize;
      buf.writeUInt16LE(0xffff, at + 10);
      buf.writeBigUInt64LE(BigInt(free.length), at + HEADER);
      free.forEach((id, i) => {
        buf.writeBigUInt64LE(BigInt(id), at + HEADER + 8 + i * 8);
      });
    });
    const res = await checkFile(f);
    expect([res.ok, res.problems, res.freePages]).toEqual([true, [], free.length]);
  });

  it("a free id past the high water mark, a page freed twice, a reachable page freed, and a free page left out", async () => {
    const fx = await fixture(true);
    const healthy = await checkFile(fx.file);
    let hwm = 0;
    let free: number[] = [];
    let bigRoot = 0;
    let fl = 0;
    const at = (r: BoltReader, i: number) => r.meta.freelist * r.pageSize + HEADER + i * 8;
    const beyond = await damaged("fl-beyond.db", true, async (buf, r) => {
      hwm = r.meta.pgid;
      fl = r.meta.freelist;
      free = await freeIds(r);
      bigRoot = (await r.resolve("big")).root;
      buf.writeBigUInt64LE(BigInt(hwm + 5), at(r, 0));
    });
    expect(free.length).toBeGreaterThan(2);
    expect((await checkFile(beyond)).problems).toEqual([
      { code: "FREELIST_INVALID", page: fl, message: `free page ${hwm + 5} is beyond the high water mark` },
      ...unreachable([free[0] as number]),
    ]);

    const twice = await damaged("fl-twice.db", true, (buf, r) => {
      buf.writeBigUInt64LE(BigInt(free[1] as number), at(r, 0));
    });
    expect((await checkFile(twice)).problems).toEqual([
      { code: "PAGE_ALREADY_FREED", page: free[1], message: `page ${free[1]}: already freed` },
      ...unreachable([free[0] as number]),
    ]);

    const reachable = await damaged("fl-reachable.db", true, (buf, r) => {
      buf.writeBigUInt64LE(BigInt(bigRoot), at(r, 0));
    });
    const res = await checkFile(reachable);
    expect(res.problems).toEqual([
      { code: "PAGE_REACHABLE_FREED", page: bigRoot, message: `page ${bigRoot}: reachable freed` },
      ...unreachable([free[0] as number]),
    ]);

    const left = await damaged("fl-left.db", true, (buf, r) => {
      buf.writeUInt16LE(free.length - 1, r.meta.freelist * r.pageSize + 10);
    });
    const l = await checkFile(left);
    expect([l.problems, l.freePages]).toEqual([unreachable([free.at(-1) as number]), healthy.freePages - 1]);
  });

  it("a freelist page whose header names another page", async () => {
    const fx = await fixture(true);
    const healthy = await checkFile(fx.file);
    let fl = 0;
    let free: number[] = [];
    let own: number[] = [];
    const f = await damaged("fl-id.db", true, async (buf, r) => {
      fl = r.meta.freelist;
      free = await freeIds(r);
      own = Array.from({ length: (await view(r, fl)).overflow + 1 }, (_, i) => fl + i);
      buf.writeBigUInt64LE(BigInt(fl + 1), fl * r.pageSize);
    });
    const res = await checkFile(f);
    expect(res.problems).toEqual(
      [
        { code: "PAGE_ID_MISMATCH", page: fl, message: `page ${fl}: header says page ${fl + 1}` },
        ...unreachable([...free, ...own].sort((a, b) => a - b)),
      ].slice(0, MAX_PROBLEMS),
    );
    expect(res.problemCount).toBe(1 + healthy.freePages + own.length);
  });

  it("keeps the first MAX_PROBLEMS problems and counts them all", async () => {
    const extra = MAX_PROBLEMS + 100;
    let hwm = 0;
    const f = await damaged("many.db", true, (_buf, r) => {
      hwm = r.meta.pgid;
    });
    const buf = await readFile(f);
    const r = await openBolt(f);
    const pageSize = r.pageSize;
    await r.close();
    editMetas(buf, pageSize, (m) => buf.writeBigUInt64LE(BigInt(hwm + extra), m + 40));
    await writeFile(f, Buffer.concat([buf.subarray(0, hwm * pageSize), Buffer.alloc(extra * pageSize)]));
    const res = await checkFile(f);
    expect(res.problemCount).toBe(extra);
    expect(res.problems).toHaveLength(MAX_PROBLEMS);
    expect(res.problems[0]).toEqual(unreachable([hwm])[0]);
    expect(res.problems.at(-1)).toEqual(unreachable([hwm + MAX_PROBLEMS - 1])[0]);
  });
});

describe("tree damage", () => {
  it("a child page whose header names another page: reported once, and the cursor refuses it", async () => {
    let child = 0;
    const f = await damaged("id.db", false, async (buf, r) => {
      child = (await bigTree(r)).children[0] as number;
      buf.writeBigUInt64LE(BigInt(child + 1000), child * r.pageSize);
    });
    const r = await openBolt(f);
    expect((await r.check()).problems).toEqual([
      { code: "PAGE_ID_MISMATCH", page: child, message: `page ${child}: header says page ${child + 1000}` },
    ]);
    await expect(async () => {
      for await (const _ of r.cursor("big"));
    }).rejects.toMatchObject({ code: "CORRUPT", message: `page ${child}: header says page ${child + 1000}` });
    await r.close();
  });

  it("an inline bucket page that is not a leaf, or whose elements overrun it", async () => {
    const notLeaf = await damaged("inline-type.db", false, async (buf, r) => {
      const e = await rootEntry(r, "inline");
      buf.writeUInt16LE(0x01, e.value + 16 + 8);
    });
    const r = await openBolt(notLeaf);
    expect((await r.check()).problems).toEqual([
      { code: "BUCKET_INVALID", message: "inline bucket page has type branch" },
    ]);
    await expect(async () => {
      for await (const _ of r.cursor("inline"));
    }).rejects.toMatchObject({ code: "CORRUPT", message: "inline bucket page is not a leaf" });
    await r.close();

    const overrun = await damaged("inline-count.db", false, async (buf, r) => {
      const e = await rootEntry(r, "inline");
      buf.writeUInt16LE(200, e.value + 16 + 10);
    });
    const res = await checkFile(overrun);
    expect(res.problems).toEqual([
      {
        code: "ELEMENT_OUT_OF_BOUNDS",
        message: "inline bucket page: element table (200 elements) overruns the page",
      },
    ]);
  });

  it("a bucket value too short for its header", async () => {
    let root = 0;
    let index = 0;
    const f = await damaged("bucket-short.db", false, async (buf, r) => {
      const e = await rootEntry(r, "nested");
      root = e.page;
      index = e.index;
      buf.writeUInt32LE(4, e.elem + 12);
    });
    const r = await openBolt(f);
    expect((await r.check()).problems).toEqual([
      {
        code: "BUCKET_INVALID",
        page: root,
        message: `bucket entry ${index} on page ${root}: bucket value of 4 bytes is too short`,
      },
    ]);
    await expect(r.resolve(["nested", "child"])).rejects.toMatchObject({ code: "CORRUPT" });
    await r.close();
  });

  it("two equal keys on a leaf are out of order", async () => {
    let leaf = 0;
    const f = await damaged("leaf-equal.db", false, async (buf, r) => {
      leaf = (await lowerBranch(r)).children[1] as number;
      const base = leaf * r.pageSize;
      const key = (i: number) => base + HEADER + i * 16 + buf.readUInt32LE(base + HEADER + i * 16 + 4);
      const len = buf.readUInt32LE(base + HEADER + 8);
      expect(buf.readUInt32LE(base + HEADER + 16 + 8)).toBe(len);
      buf.copy(buf, key(1), key(0), key(0) + len);
    });
    expect((await checkFile(f)).problems).toEqual([
      { code: "KEY_ORDER", page: leaf, message: `key[1] on leaf page ${leaf} is out of order` },
    ]);
  });

  it("two equal keys on a branch: the branch is out of order and its first child's keys reach the next key", async () => {
    let root = 0;
    let first = 0;
    let firstCount = 0;
    const f = await damaged("branch-equal.db", false, async (buf, r) => {
      const tree = await lowerBranch(r);
      root = tree.root;
      first = tree.children[0] as number;
      firstCount = (await view(r, first)).count;
      const base = root * r.pageSize;
      const key = (i: number) => base + HEADER + i * 16 + buf.readUInt32LE(base + HEADER + i * 16);
      const len = buf.readUInt32LE(base + HEADER + 4);
      expect(buf.readUInt32LE(base + HEADER + 16 + 4)).toBe(len);
      buf.copy(buf, key(1), key(0), key(0) + len);
    });
    const res = await checkFile(f);
    // The branch's key[1] is checked after the walk down its child 0.
    expect(res.problems).toEqual([
      ...Array.from({ length: firstCount }, (_, i) => ({
        code: "KEY_ORDER",
        page: first,
        message: `key[${i}] on leaf page ${first} is not below its parent's next key`,
      })),
      { code: "KEY_ORDER", page: root, message: `key[1] on branch page ${root} is out of order` },
    ]);
  });
});
