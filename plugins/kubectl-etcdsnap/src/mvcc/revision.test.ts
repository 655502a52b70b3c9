import { describe, expect, it } from "vitest";
import { decodeRevision, encodeRevision, isTombstone, MvccError, revisionMain } from "./revision.js";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ""), "hex"));

describe("decodeRevision", () => {
  it("decodes main, sub and the tombstone mark", () => {
    expect(decodeRevision(hex("0000000000000005 5f 0000000000000002"))).toEqual({
      main: 5,
      sub: 2,
      tombstone: false,
    });
    expect(decodeRevision(hex("00000001000000ff 5f 0000000000000000 74"))).toEqual({
      main: 2 ** 32 + 255,
      sub: 0,
      tombstone: true,
    });
  });

  it("round-trips through encodeRevision", () => {
    for (const rev of [
      { main: 0, sub: 0, tombstone: false },
      { main: 123456789012, sub: 7, tombstone: true },
      { main: Number.MAX_SAFE_INTEGER, sub: 1, tombstone: false },
    ]) {
      expect(decodeRevision(encodeRevision(rev))).toEqual(rev);
    }
  });

  it("rejects what etcd rejects", () => {
    expect(() => decodeRevision(hex("00"))).toThrow(MvccError);
    expect(() => decodeRevision(hex("0000000000000005 2d 0000000000000002"))).toThrow(/separator/);
    expect(() => decodeRevision(hex("8000000000000005 5f 0000000000000002"))).toThrow(/negative main/);
    expect(() => decodeRevision(hex("0000000000000005 5f 8000000000000002"))).toThrow(/negative sub/);
    expect(() => decodeRevision(hex("0000000000000005 5f 0000000000000002 7474"))).toThrow(/length/);
  });

  it("has allocation-free helpers that agree", () => {
    const b = hex("ff 0000000000000009 5f 0000000000000001 74");
    expect(revisionMain(b, 1, 18)).toBe(9);
    expect(isTombstone(b, 1, 18)).toBe(true);
    expect(isTombstone(b, 1, 17)).toBe(false);
    expect(revisionMain(b, 0, 17)).toBe(-1);
    // An 18-byte key whose last byte is not 't' is a valid revision but not a tombstone.
    expect(decodeRevision(hex("0000000000000005 5f 0000000000000002 00")).tombstone).toBe(false);
  });
});
