import { constants } from "node:fs";
import { chmod, copyFile, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { decodeKeyValue } from "../mvcc/keyvalue.js";
import { decodeRevision } from "../mvcc/revision.js";
import { etcdSnapshot, FLAVORS } from "../snapshot/testing.js";
import { fnv64a } from "./layout.js";
import { BoltError, type BoltReader, openBolt } from "./reader.js";
import { boltFixture, type GoEntry } from "./testing.js";

// Every open() of node:fs/promises, here and in the reader, passes through and is recorded with its
// flags: the tests run as root, which a chmod does not stop from writing.
const opened = vi.hoisted(() => [] as { file: string; flags: unknown }[]);
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    open: (...args: Parameters<typeof actual.open>) => {
      opened.push({ file: String(args[0]), flags: args[1] });
      return actual.open(...args);
    },
  };
});

/** Flags that open a file for reading only ("r", "rs", O_RDONLY); undefined is "r". */
function readOnlyFlags(flags: unknown): boolean {
  if (flags === undefined) return true;
  if (typeof flags === "string") return /^(r|rs|sr)$/.test(flags);
  return (
    typeof flags === "number" &&
    (flags & (constants.O_WRONLY | constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC)) === 0
  );
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function dump(r: BoltReader, trail: string[] = []): Promise<GoEntry[]> {
  const out: GoEntry[] = [];
  const it = trail.length === 0 ? r.cursor([]) : r.cursor(trail.map((h) => Buffer.from(h, "hex")));
  for await (const e of it) {
    out.push({ path: trail, key: hex(e.key), value: e.value === null ? null : hex(e.value) });
    if (e.value === null) out.push(...(await dump(r, [...trail, hex(e.key)])));
  }
  return out;
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "kubemend-bbolt-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function scratchFile(name: string, bytes: Uint8Array): Promise<string> {
  const f = path.join(scratch, name);
  await writeFile(f, bytes);
  return f;
}

describe.each([true, false])("a bbolt file written by bbolt (persisted freelist: %s)", (persist) => {
  it("lists every bucket and entry exactly as bbolt does, nested, inline and overflow included", async (ctx) => {
    const fx = await boltFixture(persist);
    if (typeof fx === "string") return ctx.skip(fx);
    const r = await openBolt(fx.file, { cacheBytes: 2 << 20 });
    try {
      expect(r.freelistPersisted).toBe(persist);
      const got = await dump(r);
      expect(got.length).toBe(fx.entries.length);
      expect(got).toEqual(fx.entries);
      const names = [];
      for await (const b of r.buckets()) names.push(Buffer.from(b).toString());
      expect(names).toEqual(["big", "empty", "inline", "nested", "overflow"]);
    } finally {
      await r.close();
    }
  }, 120_000);

  it("passes the structure check and accounts for every page", async (ctx) => {
    const fx = await boltFixture(persist);
    if (typeof fx === "string") return ctx.skip(fx);
    const r = await openBolt(fx.file);
    const res = await r.check();
    await r.close();
    expect(res.problems).toEqual([]);
    expect(res.ok).toBe(true);
    expect(res.freePages).toBeGreaterThan(0);
    expect(res.reachablePages + res.freePages).toBe(res.highWaterMark);
  }, 120_000);

  it("gets single values, nested buckets and misses", async (ctx) => {
    const fx = await boltFixture(persist);
    if (typeof fx === "string") return ctx.skip(fx);
    const r = await openBolt(fx.file);
    try {
      expect(Buffer.from((await r.get(["nested", "child", "grand"], "deep")) ?? []).toString()).toBe("value");
      expect(await r.get("nested", "child")).toBeNull();
      expect(await r.get("big", "key-000000")).toBeUndefined();
      expect((await r.get("big", "key-019999"))?.length).toBe(40 + (19999 % 200));
      expect((await r.get("overflow", "300k"))?.length).toBe(300_000);
      expect(await r.get("inline", Uint8Array.of(0x00, 0xff))).toEqual(new Uint8Array(0));
      await expect(r.get("nope", "x")).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(r.get(["nested", "k"], "x")).rejects.toMatchObject({ code: "NOT_FOUND" });
    } finally {
      await r.close();
    }
  }, 120_000);
});

describe("meta pages", () => {
  it("falls back to the other meta page when one is corrupt and fails when both are", async (ctx) => {
    const fx = await boltFixture(true);
    if (typeof fx === "string") return ctx.skip(fx);
    const bytes = await readFile(fx.file);
    const r = await openBolt(fx.file);
    const { txid, pageSize, page } = r.meta;
    await r.close();
    const bad = Buffer.from(bytes);
    bad.writeUInt8(bad.readUInt8(page * pageSize + 30) ^ 1, page * pageSize + 30); // inside the checksummed meta of the newer page
    const r2 = await openBolt(await scratchFile("meta1.db", bad));
    expect(r2.meta.page).toBe(1 - page);
    expect(r2.meta.txid).toBe(txid - 1n);
    await r2.close();
    bad.writeUInt8(bad.readUInt8((1 - page) * pageSize + 30) ^ 1, (1 - page) * pageSize + 30);
    await expect(openBolt(await scratchFile("meta2.db", bad))).rejects.toMatchObject({ code: "CHECKSUM" });
  });

  it("rejects files that are not bbolt with a typed error", async () => {
    const cases: [string, Uint8Array, string][] = [
      ["empty", new Uint8Array(0), "NOT_BOLT"],
      ["zeros", new Uint8Array(1 << 20), "NOT_BOLT"],
      ["text", Buffer.from("hello world\n".repeat(1000)), "NOT_BOLT"],
    ];
    for (const [name, bytes, code] of cases) {
      const err = await openBolt(await scratchFile(name, bytes)).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(BoltError);
      expect((err as BoltError).code, name).toBe(code);
    }
    await expect(openBolt(scratch)).rejects.toBeInstanceOf(BoltError);
    await expect(openBolt(path.join(scratch, "missing"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("says TRUNCATED when the file is shorter than the meta page claims", async (ctx) => {
    const fx = await boltFixture(false);
    if (typeof fx === "string") return ctx.skip(fx);
    const r = await openBolt(fx.file);
    const size = r.dataSize;
    await r.close();
    const bytes = (await readFile(fx.file)).subarray(0, size - 1);
    await expect(openBolt(await scratchFile("short.db", bytes))).rejects.toMatchObject({ code: "TRUNCATED" });
  });
});

describe("structural damage", () => {
  async function damaged(name: string, edit: (buf: Buffer, r: BoltReader) => Promise<void>): Promise<string> {
    const fx = await boltFixture(false);
    if (typeof fx === "string") throw new Error(fx);
    const f = path.join(scratch, name);
    await copyFile(fx.file, f);
    const buf = await readFile(f);
    const r = await openBolt(f);
    await edit(buf, r);
    await r.close();
    await writeFile(f, buf);
    return f;
  }
  async function firstLeaf(r: BoltReader): Promise<number> {
    let id = (await r.resolve("big")).root;
    for (;;) {
      const p = await r.page(id);
      if (typeof p === "string") throw new Error(p);
      if (p.flags === 2) return id;
      id = Number(p.dv.getBigUint64(p.base + 16 + 8, true));
    }
  }
  /** Root page id of the "big" bucket (a branch page) and its first two children. */
  async function bigTree(r: BoltReader): Promise<{ root: number; children: [number, number] }> {
    const ref = await r.resolve("big");
    const p = await r.page(ref.root);
    if (typeof p === "string" || p.flags !== 1) throw new Error("big's root is not a branch");
    const child = (i: number) => Number(p.dv.getBigUint64(p.base + 16 + i * 16 + 8, true));
    return { root: ref.root, children: [child(0), child(1)] };
  }

  it("finds a page referenced twice and never loops on it", async (ctx) => {
    if (typeof (await boltFixture(false)) === "string") return ctx.skip("no Go toolchain");
    let twice = 0;
    const f = await damaged("twice.db", async (buf, r) => {
      const { root, children } = await bigTree(r);
      twice = children[0];
      buf.writeBigUInt64LE(BigInt(children[0]), root * r.pageSize + 16 + 16 + 8);
    });
    const r = await openBolt(f);
    const res = await r.check();
    expect(res.problems.map((p) => p.code)).toContain("PAGE_MULTIPLE_REFERENCES");
    expect([res.ok, res.problemCount, res.problems]).toEqual([
      false,
      1,
      [{ code: "PAGE_MULTIPLE_REFERENCES", page: twice, message: `page ${twice}: multiple references` }],
    ]);
    await expect(async () => {
      for await (const _ of r.cursor("big"));
    }).rejects.toMatchObject({ code: "CORRUPT" });
    await r.close();
  });

  it("finds out-of-bounds and wrongly typed pages", async (ctx) => {
    if (typeof (await boltFixture(false)) === "string") return ctx.skip("no Go toolchain");
    let invalid = 0;
    const f = await damaged("bounds.db", async (buf, r) => {
      const { root, children } = await bigTree(r);
      invalid = children[1];
      buf.writeBigUInt64LE(1n << 40n, root * r.pageSize + 16 + 8);
      buf.writeUInt16LE(0x20, children[1] * r.pageSize + 8);
    });
    const r = await openBolt(f);
    const res = await r.check();
    await r.close();
    const codes = res.problems.map((p) => p.code);
    expect(codes).toContain("PAGE_OUT_OF_BOUNDS");
    expect(codes).toContain("PAGE_INVALID_TYPE");
    expect([res.ok, res.problemCount, res.problems]).toEqual([
      false,
      2,
      [
        {
          code: "PAGE_OUT_OF_BOUNDS",
          page: 2 ** 40,
          message: `page ${2 ** 40} is beyond the high water mark ${res.highWaterMark}`,
        },
        { code: "PAGE_INVALID_TYPE", page: invalid, message: `page ${invalid}: invalid type: unknown<20>` },
      ],
    ]);
  });

  it("finds keys out of order", async (ctx) => {
    if (typeof (await boltFixture(false)) === "string") return ctx.skip("no Go toolchain");
    let leaf = 0;
    const f = await damaged("order.db", async (buf, r) => {
      leaf = await firstLeaf(r);
      const base = leaf * r.pageSize;
      const keyAt = base + 16 + buf.readUInt32LE(base + 16 + 4); // leaf element 0: pos is at +4
      buf[keyAt + 4] = 0x7a; // "key-…" becomes "key-z…", above its neighbours
    });
    const r = await openBolt(f);
    const res = await r.check();
    await r.close();
    expect(res.problems.map((p) => p.code)).toContain("KEY_ORDER");
    expect([res.ok, res.problemCount, res.problems]).toEqual([
      false,
      2,
      [
        {
          code: "KEY_ORDER",
          page: leaf,
          message: `key[0] on leaf page ${leaf} is not below its parent's next key`,
        },
        { code: "KEY_ORDER", page: leaf, message: `key[1] on leaf page ${leaf} is out of order` },
      ],
    ]);
  });
});

describe.each(FLAVORS)("a real etcd %s snapshot", (flavor) => {
  it("has etcd's buckets and revision-keyed mvcc values in key order", async (ctx) => {
    const fx = await etcdSnapshot(flavor);
    if (typeof fx === "string") return ctx.skip(fx);
    const r = await openBolt(fx.snapshot);
    try {
      const names: string[] = [];
      for await (const b of r.buckets()) names.push(Buffer.from(b).toString());
      expect(names).toEqual(expect.arrayContaining(["key", "meta", "members", "cluster", "lease"]));
      let prev = -1;
      const live = new Map<string, string>();
      for await (const { key, value } of r.cursor("key")) {
        const rev = decodeRevision(key);
        expect(rev.main * 1e6 + rev.sub).toBeGreaterThan(prev);
        prev = rev.main * 1e6 + rev.sub;
        const kv = decodeKeyValue(value as Uint8Array);
        if (!rev.tombstone) expect(kv.modRevision).toBe(rev.main);
        const k = Buffer.from(kv.key).toString();
        if (rev.tombstone) live.delete(k);
        else live.set(k, Buffer.from(kv.value).toString("latin1"));
      }
      expect(live.get("/registry/secrets/default/token")).toBe("s3cr3t");
      expect(live.get("/registry/deployments/default/web")).toBe("x".repeat(10_000));
      expect(live.get("/registry/configmaps/kube-system/big")?.length).toBe(300_000);
      expect(live.has("/registry/pods/ns-0/pod-0")).toBe(false);
      expect(JSON.parse(live.get("/registry/pods/ns-0/pod-399") ?? "{}").metadata.generation).toBe(3);
      expect(live.has("/registry/events/default/e1")).toBe(false);
      expect((await r.check()).ok).toBe(true);
      const compacted = await r.get("meta", "finishedCompactRev");
      expect(compacted && decodeRevision(compacted).main).toBeGreaterThan(0);
    } finally {
      await r.close();
    }
  }, 120_000);
});

describe("reading stays within the cache bound", () => {
  it("never holds more blocks than cacheBytes allows", async (ctx) => {
    const fx = await boltFixture(true);
    if (typeof fx === "string") return ctx.skip(fx);
    const r = await openBolt(fx.file, { cacheBytes: 128 << 10, blockSize: 64 << 10 });
    let max = 0;
    for await (const _ of r.cursor("big")) max = Math.max(max, r.cachedBlocks);
    await r.close();
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(2);
  });

  it("opens read-only", async (ctx) => {
    const fx = await boltFixture(true);
    if (typeof fx === "string") return ctx.skip(fx);
    const f = path.join(scratch, "ro.db");
    await copyFile(fx.file, f);
    await chmod(f, 0o400);
    // An old mtime, so that any write (even of the same bytes) shows as a newer one.
    const old = new Date("2020-01-02T03:04:05Z");
    await utimes(f, old, old);
    const before = await readFile(f);
    opened.length = 0;
    const r = await openBolt(f);
    await r.check();
    let entries = 0;
    for await (const _ of r.cursor([])) entries++;
    await r.close();
    expect(entries).toBeGreaterThan(0);
    const opens = opened.filter((o) => o.file === f);
    expect(opens.length).toBeGreaterThan(0);
    for (const o of opens) expect(readOnlyFlags(o.flags), `opened with flags ${String(o.flags)}`).toBe(true);
    expect(Buffer.compare(before, await readFile(f))).toBe(0);
    expect((await stat(f)).mtime).toEqual(old);
  });
});

describe("meta pages, field by field", () => {
  /** The fixture with fields of the chosen meta pages rewritten and their checksums made good again. */
  async function withMeta(name: string, pages: (0 | 1)[], edit: (buf: Buffer, meta: number) => void) {
    const fx = await boltFixture(true);
    if (typeof fx === "string") throw new Error(fx);
    const buf = await readFile(fx.file);
    for (const page of pages) {
      const meta = page * 4096 + 16;
      edit(buf, meta);
      buf.writeBigUInt64LE(fnv64a(buf.subarray(meta, meta + 56)), meta + 56);
    }
    return scratchFile(name, buf);
  }

  it("refuses page sizes bbolt cannot have", async () => {
    for (const size of [256, 3000, 2 << 20]) {
      const f = await withMeta(`ps-${size}.db`, [0, 1], (buf, m) => buf.writeUInt32LE(size, m + 8));
      await expect(openBolt(f)).rejects.toMatchObject({
        code: "CORRUPT",
        message: `unsupported page size ${size}`,
      });
    }
  });

  it("refuses a high water mark below the two meta pages", async () => {
    const f = await withMeta("pgid.db", [0, 1], (buf, m) => buf.writeBigUInt64LE(1n, m + 40));
    const err = await openBolt(f).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "CORRUPT" });
    expect((err as Error).message).toMatch(/^meta page [01]: high water mark 1$/);
  });

  it("finds the page size from meta page 1 when meta page 0 is not a meta page", async () => {
    const fx = await boltFixture(true);
    if (typeof fx === "string") throw new Error(fx);
    const buf = await readFile(fx.file);
    buf.fill(0, 0, 4096);
    const r = await openBolt(await scratchFile("meta0-gone.db", buf));
    expect([r.meta.page, r.pageSize]).toEqual([1, 4096]);
    expect((await r.check()).ok).toBe(true);
    await r.close();
  });

  it("uses the meta page with the higher txid, whichever page it is", async () => {
    for (const page of [0, 1] as const) {
      const f = await withMeta(`txid-${page}.db`, [page], (buf, m) =>
        buf.writeBigUInt64LE(1n << 40n, m + 48),
      );
      const r = await openBolt(f);
      expect([r.meta.page, r.meta.txid]).toEqual([page, 1n << 40n]);
      await r.close();
    }
  });

  it("says TRUNCATED for a file shorter than its two meta pages", async () => {
    const fx = await boltFixture(true);
    if (typeof fx === "string") throw new Error(fx);
    const bytes = (await readFile(fx.file)).subarray(0, 4096 + 100);
    await expect(openBolt(await scratchFile("two-metas.db", bytes))).rejects.toMatchObject({
      code: "TRUNCATED",
      message: "file has 4196 bytes, less than two 4096-byte meta pages",
    });
  });
});

describe("buckets by path, and a closed reader", () => {
  it("names what is missing, and a key that is not a bucket", async () => {
    const fx = await boltFixture(false);
    if (typeof fx === "string") throw new Error(fx);
    const r = await openBolt(fx.file);
    await expect(r.resolve("nope")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: 'bucket "nope" not found',
    });
    await expect(r.resolve(["nested", "k"])).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: '"k" is a key, not a bucket',
    });
    await expect(r.resolve([Buffer.from("nested"), Uint8Array.of(0xab, 0x01)])).rejects.toMatchObject({
      message: 'bucket "ab01" not found',
    });
    expect(await r.get("big", "key-999999x")).toBeUndefined();
    expect(await r.get("nested", "child")).toBeNull();
    const names: string[] = [];
    for await (const b of r.buckets()) names.push(Buffer.from(b).toString());
    expect(names).toEqual(["big", "empty", "inline", "nested", "overflow"]);
    await r.close();
    await r.close();
    expect(() => r.page(2)).toThrow(
      expect.objectContaining({ code: "CLOSED", message: "bolt reader is closed" }),
    );
  });

  it("says a directory is not a regular file", async () => {
    await expect(openBolt(scratch)).rejects.toMatchObject({
      code: "NOT_BOLT",
      message: `${scratch} is not a regular file`,
    });
  });
});
