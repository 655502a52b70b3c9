import { describe, expect, it } from "vitest";
import {
  BoltError,
  fnv64a,
  MAGIC,
  META_SIZE,
  NO_FREELIST,
  PageFlag,
  pageTypeName,
  parseMeta,
  u64,
} from "./layout.js";

/** A meta page as bbolt writes it at `off` of a buffer: page header, then the meta, checksum last. */
function metaPage(
  fields: {
    version?: number;
    pageSize?: number;
    flags?: number;
    root?: number;
    freelist?: bigint;
    pgid?: number;
    txid?: bigint;
  } = {},
  off = 0,
  extra = 0,
): Uint8Array {
  const buf = new Uint8Array(off + 16 + META_SIZE + extra);
  const dv = new DataView(buf.buffer, off);
  dv.setBigUint64(0, 0n, true);
  dv.setUint16(8, PageFlag.meta, true);
  dv.setUint32(16, MAGIC, true);
  dv.setUint32(20, fields.version ?? 2, true);
  dv.setUint32(24, fields.pageSize ?? 4096, true);
  dv.setUint32(28, fields.flags ?? 0, true);
  dv.setBigUint64(32, BigInt(fields.root ?? 3), true);
  dv.setBigUint64(40, 0n, true);
  dv.setBigUint64(48, fields.freelist ?? 2n, true);
  dv.setBigUint64(56, BigInt(fields.pgid ?? 7), true);
  dv.setBigUint64(64, fields.txid ?? 42n, true);
  dv.setBigUint64(72, fnv64a(buf.subarray(off + 16, off + 72)), true);
  return buf;
}

describe("fnv64a", () => {
  it("is FNV-1a over 64 bits", () => {
    expect(fnv64a(new Uint8Array(0))).toBe(0xcbf29ce484222325n);
    expect(fnv64a(Buffer.from("a"))).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv64a(Buffer.from("foobar"))).toBe(0x85944171f73967e8n);
  });
});

describe("u64", () => {
  it("reads a little-endian u64 at the offset, the high word times 2^32", () => {
    const dv = new DataView(Uint8Array.from([0xff, 1, 2, 3, 4, 5, 6, 0, 0]).buffer);
    expect(u64(dv, 1)).toBe(0x605 * 2 ** 32 + 0x04030201);
  });
});

describe("pageTypeName", () => {
  it("names the four page types, and shows any other flags in hex", () => {
    expect([0x01, 0x02, 0x04, 0x10, 0x08, 0x0, 0x1ff].map(pageTypeName)).toEqual([
      "branch",
      "leaf",
      "meta",
      "freelist",
      "unknown<08>",
      "unknown<00>",
      "unknown<1ff>",
    ]);
  });
});

describe("parseMeta", () => {
  it("reads every field of a valid meta page, at any offset", () => {
    const buf = metaPage(
      { pageSize: 16384, flags: 5, root: 2 ** 33 + 9, freelist: 11n, pgid: 2 ** 32 + 1, txid: 2n ** 60n },
      4096,
    );
    const result = parseMeta(buf, 4096, 1);
    expect(result).toEqual({
      ok: true,
      meta: {
        page: 1,
        pageSize: 16384,
        flags: 5,
        root: 2 ** 33 + 9,
        freelist: 11,
        pgid: 2 ** 32 + 1,
        txid: 2n ** 60n,
        checksum: new DataView(buf.buffer).getBigUint64(4096 + 72, true),
      },
    });
  });

  it("reads the all-ones freelist id as not persisted; others as ids", () => {
    const noFreelist = parseMeta(metaPage({ freelist: 0xffffffffffffffffn }), 0, 0);
    expect(noFreelist.ok && noFreelist.meta.freelist).toBe(NO_FREELIST);
    const lowOnes = parseMeta(metaPage({ freelist: 0xffffffffn }), 0, 0);
    expect(lowOnes.ok && lowOnes.meta.freelist).toBe(0xffffffff);
    const highOnes = parseMeta(metaPage({ freelist: 0xffffffff00000000n }), 0, 0);
    expect(highOnes.ok && highOnes.meta.freelist).toBe(0xffffffff * 2 ** 32);
  });

  const failure = (buf: Uint8Array, off = 0, page: 0 | 1 = 0) => {
    const r = parseMeta(buf, off, page);
    if (r.ok) throw new Error("parsed");
    expect(r.error).toBeInstanceOf(BoltError);
    return [r.error.code, r.error.message];
  };

  it("says why a meta page is not valid", () => {
    expect(failure(new Uint8Array(100))).toEqual([
      "NOT_BOLT",
      "meta page 0: no bbolt magic, not a bbolt file",
    ]);
    expect(failure(metaPage().subarray(0, 19), 0, 1)).toEqual([
      "NOT_BOLT",
      "meta page 1: no bbolt magic, not a bbolt file",
    ]);
    expect(failure(metaPage().subarray(0, 20))).toEqual(["TRUNCATED", "meta page 0: file too short"]);
    expect(failure(metaPage().subarray(0, 16 + META_SIZE - 1))).toEqual([
      "TRUNCATED",
      "meta page 0: file too short",
    ]);
    expect(failure(metaPage({ version: 1 }))).toEqual([
      "VERSION_MISMATCH",
      "meta page 0: bbolt version 1, want 2",
    ]);
    const tampered = metaPage();
    tampered[16 + 55] = 1;
    expect(failure(tampered)).toEqual(["CHECKSUM", "meta page 0: checksum mismatch"]);
    expect(parseMeta(metaPage(), 0, 0).ok).toBe(true);
  });
});
