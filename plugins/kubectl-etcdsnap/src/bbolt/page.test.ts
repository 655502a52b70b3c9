import { describe, expect, it } from "vitest";
import { BoltError, PageFlag } from "./layout.js";
import {
  branchChild,
  branchKeyLen,
  branchKeyOff,
  bucketRef,
  compareBytes,
  headerId,
  leafFlags,
  leafKeyLen,
  leafKeyOff,
  leafValueLen,
  readHeader,
  validateElements,
} from "./page.js";

/** A leaf page with the given entries, laid out as bbolt does: header, element table, then data. */
function leafPage(entries: { flags?: number; key: string; value: string }[], id = 5, size = 256, at = 0) {
  const buf = new Uint8Array(at + size);
  const dv = new DataView(buf.buffer);
  dv.setUint32(at, id, true);
  dv.setUint16(at + 8, PageFlag.leaf, true);
  dv.setUint16(at + 10, entries.length, true);
  dv.setUint32(at + 12, 0, true);
  let data = at + 16 + entries.length * 16;
  entries.forEach((entry, i) => {
    const e = at + 16 + i * 16;
    dv.setUint32(e, entry.flags ?? 0, true);
    dv.setUint32(e + 4, data - e, true);
    dv.setUint32(e + 8, entry.key.length, true);
    dv.setUint32(e + 12, entry.value.length, true);
    buf.set(Buffer.from(entry.key + entry.value, "latin1"), data);
    data += entry.key.length + entry.value.length;
  });
  return { buf, dv };
}

function branchPage(entries: { key: string; child: number }[], size = 256) {
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, 9, true);
  dv.setUint16(8, PageFlag.branch, true);
  dv.setUint16(10, entries.length, true);
  dv.setUint32(12, 3, true);
  let data = 16 + entries.length * 16;
  entries.forEach((entry, i) => {
    const e = 16 + i * 16;
    dv.setUint32(e, data - e, true);
    dv.setUint32(e + 4, entry.key.length, true);
    dv.setBigUint64(e + 8, BigInt(entry.child), true);
    buf.set(Buffer.from(entry.key, "latin1"), data);
    data += entry.key.length;
  });
  return { buf, dv };
}

const text = (buf: Uint8Array, off: number, len: number) =>
  Buffer.from(buf.subarray(off, off + len)).toString("latin1");

describe("page headers and elements", () => {
  it("reads a leaf page's header and each element's flags, key and value", () => {
    const { buf, dv } = leafPage(
      [
        { key: "a", value: "one" },
        { flags: 1, key: "bc", value: "" },
      ],
      5,
      256,
      8,
    );
    const p = readHeader(buf, dv, 8, 8 + 256, 5);
    if (typeof p === "string") throw new Error(p);
    expect({
      id: p.id,
      flags: p.flags,
      count: p.count,
      overflow: p.overflow,
      base: p.base,
      end: p.end,
    }).toEqual({
      id: 5,
      flags: PageFlag.leaf,
      count: 2,
      overflow: 0,
      base: 8,
      end: 264,
    });
    expect(headerId(p)).toBe(5);
    expect(validateElements(p)).toBeNull();
    expect([leafFlags(p, 0), text(buf, leafKeyOff(p, 0), leafKeyLen(p, 0)), leafValueLen(p, 0)]).toEqual([
      0,
      "a",
      3,
    ]);
    expect(text(buf, leafKeyOff(p, 0) + leafKeyLen(p, 0), leafValueLen(p, 0))).toBe("one");
    expect([leafFlags(p, 1), text(buf, leafKeyOff(p, 1), leafKeyLen(p, 1)), leafValueLen(p, 1)]).toEqual([
      1,
      "bc",
      0,
    ]);
  });

  it("reads a branch page's keys and children", () => {
    const { buf, dv } = branchPage([
      { key: "k1", child: 7 },
      { key: "zz9", child: 2 ** 40 },
    ]);
    const p = readHeader(buf, dv, 0, 256, 9);
    if (typeof p === "string") throw new Error(p);
    expect([p.flags, p.count, p.overflow]).toEqual([PageFlag.branch, 2, 3]);
    expect(validateElements(p)).toBeNull();
    expect([text(buf, branchKeyOff(p, 0), branchKeyLen(p, 0)), branchChild(p, 0)]).toEqual(["k1", 7]);
    expect([text(buf, branchKeyOff(p, 1), branchKeyLen(p, 1)), branchChild(p, 1)]).toEqual(["zz9", 2 ** 40]);
  });

  it("a page shorter than its header", () => {
    const { buf, dv } = leafPage([]);
    expect(readHeader(buf, dv, 0, 15, 1)).toBe("page shorter than its header");
    expect(typeof readHeader(buf, dv, 0, 16, 1)).toBe("object");
  });

  it("an element table or an element that overruns the page", () => {
    const { buf, dv } = leafPage([{ key: "key", value: "value" }], 5, 64);
    const fits = readHeader(buf, dv, 0, 16 + 16 + 8, 5);
    if (typeof fits === "string") throw new Error(fits);
    expect(validateElements(fits)).toBeNull();
    const short = readHeader(buf, dv, 0, 16 + 16 + 7, 5);
    if (typeof short === "string") throw new Error(short);
    expect(validateElements(short)).toBe("element 0: key/value overruns the page");
    const table = readHeader(buf, dv, 0, 16 + 15, 5);
    if (typeof table === "string") throw new Error(table);
    expect(validateElements(table)).toBe("element table (1 elements) overruns the page");
    const exact = readHeader(buf, dv, 0, 16 + 16, 5);
    if (typeof exact === "string") throw new Error(exact);
    expect(validateElements({ ...exact, count: 0 })).toBeNull();
    const { buf: bb, dv: bdv } = branchPage([{ key: "key", child: 1 }], 64);
    const branch = readHeader(bb, bdv, 0, 16 + 16 + 3, 9);
    if (typeof branch === "string") throw new Error(branch);
    expect(validateElements(branch)).toBeNull();
    expect(validateElements({ ...branch, end: 16 + 16 + 2 })).toBe("element 0: key/value overruns the page");
  });
});

describe("bucketRef", () => {
  it("a bucket with a root page, and an inline bucket whose page follows the header", () => {
    const buf = new Uint8Array(64);
    const dv = new DataView(buf.buffer);
    dv.setBigUint64(4, 12n, true);
    expect(bucketRef(buf, dv, 4, 16)).toEqual({ root: 12, inline: null });
    dv.setBigUint64(4, 0n, true);
    dv.setUint16(4 + 16 + 8, PageFlag.leaf, true);
    dv.setUint16(4 + 16 + 10, 1, true);
    const ref = bucketRef(buf, dv, 4, 40);
    expect(ref.root).toBe(0);
    expect(
      ref.inline && {
        id: ref.inline.id,
        flags: ref.inline.flags,
        count: ref.inline.count,
        base: ref.inline.base,
        end: ref.inline.end,
      },
    ).toEqual({
      id: -1,
      flags: PageFlag.leaf,
      count: 1,
      base: 20,
      end: 44,
    });
  });

  it("rejects a bucket value too short for its header or its inline page", () => {
    const buf = new Uint8Array(64);
    const dv = new DataView(buf.buffer);
    const error = (len: number) => {
      try {
        bucketRef(buf, dv, 0, len);
      } catch (e) {
        return [(e as BoltError).code, (e as Error).message, e instanceof BoltError];
      }
      return "no error";
    };
    expect(error(15)).toEqual(["CORRUPT", "bucket value of 15 bytes is too short", true]);
    expect(error(31)).toEqual(["CORRUPT", "inline bucket: page shorter than its header", true]);
    expect(error(32)).toBe("no error");
  });
});

describe("compareBytes", () => {
  const cmp = (a: string, b: string) =>
    Math.sign(compareBytes(Buffer.from(`x${a}`), 1, a.length, Buffer.from(`yy${b}`), 2, b.length));
  it("orders bytes as unsigned, then shorter first", () => {
    expect(cmp("abc", "abc")).toBe(0);
    expect(cmp("abc", "abd")).toBe(-1);
    expect(cmp("abd", "abc")).toBe(1);
    expect(cmp("ab", "abc")).toBe(-1);
    expect(cmp("abc", "ab")).toBe(1);
    expect(cmp("", "")).toBe(0);
    expect(Math.sign(compareBytes(Uint8Array.of(0xff), 0, 1, Uint8Array.of(0x01), 0, 1))).toBe(1);
    expect(compareBytes(Uint8Array.of(5, 1), 0, 2, Uint8Array.of(5, 4), 0, 2)).toBe(-3);
    expect(compareBytes(Uint8Array.of(5), 0, 1, Uint8Array.of(5, 4, 4), 0, 3)).toBe(-2);
  });
});
