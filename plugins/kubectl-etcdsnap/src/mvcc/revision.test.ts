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

describe("revision keys at the limits", () => {
  it("encodes to etcd's exact bytes", () => {
    expect(
      Buffer.from(encodeRevision({ main: 2 ** 32 + 5, sub: 258, tombstone: false })).toString("hex"),
    ).toBe("0000000100000005" + "5f" + "0000000000000102");
    expect(Buffer.from(encodeRevision({ main: 1, sub: 0, tombstone: true })).toString("hex")).toBe(
      "0000000000000001" + "5f" + "0000000000000000" + "74",
    );
  });

  it("says what is wrong, exactly", () => {
    expect(() => decodeRevision(hex("00"))).toThrow("invalid revision length: 1");
    expect(() => decodeRevision(hex("0000000000000005 0a 0000000000000002"))).toThrow(
      "invalid separator in revision key: 0x0a",
    );
    expect(() => decodeRevision(hex("0000000000000005 5f 0020000000000000"))).toThrow(
      "sub revision exceeds 2^53",
    );
    expect(() => decodeRevision(hex("0020000000000000 5f 0000000000000000"))).toThrow(
      "main revision exceeds 2^53",
    );
    expect(() => decodeRevision(hex("ff00000000000000 5f 0000000000000000"))).toThrow(
      "negative main revision",
    );
    expect(() => decodeRevision(hex("0000000000000000 5f 8000000000000000"))).toThrow(
      "negative sub revision",
    );
  });

  it("accepts the largest safe main and sub revisions, and reads all 8 bytes of each", () => {
    expect(decodeRevision(hex("001fffffffffffff 5f 001ffffffffffffe"))).toEqual({
      main: Number.MAX_SAFE_INTEGER,
      sub: Number.MAX_SAFE_INTEGER - 1,
      tombstone: false,
    });
    expect(decodeRevision(hex("0001020304050607 5f 0000000000000000"))).toMatchObject({
      main: 0x0001020304050607,
    });
    expect(revisionMain(hex("001fffffffffffff 5f 7fffffff00000000"), 0, 17)).toBe(Number.MAX_SAFE_INTEGER);
    expect(revisionMain(hex("00ff00ff00ff00ff 5f 0000000000000000"), 0, 17)).toBe(-1);
  });

  it("revisionMain rejects what decodeRevision rejects, with -1", () => {
    expect(revisionMain(hex("0000000000000005 5f 0000000000000002"), 0, 17)).toBe(5);
    expect(revisionMain(hex("0000000000000005 5f 0000000000000002 74"), 0, 18)).toBe(5);
    expect(revisionMain(hex("0000000000000005 5f 0000000000000002 74 00"), 0, 19)).toBe(-1);
    expect(revisionMain(hex("0000000000000005 5f 0000000000000002"), 0, 16)).toBe(-1);
    expect(revisionMain(hex("0000000000000005 2d 0000000000000002"), 0, 17)).toBe(-1);
    expect(revisionMain(hex("0020000000000000 5f 0000000000000002"), 0, 17)).toBe(-1);
    expect(revisionMain(hex("001fffff00000000 5f 0000000000000002"), 0, 17)).toBe(0x1fffff * 2 ** 32);
    expect(revisionMain(hex("0000000000000005 5f 8000000000000002"), 0, 17)).toBe(-1);
    expect(revisionMain(hex("0000000000000005 5f 7fffffff00000002"), 0, 17)).toBe(5);
    expect(revisionMain(hex("aa 0000000000000007 5f 0000000000000002"), 1, 17)).toBe(7);
  });

  it("a tombstone is 18 bytes ending in 't'", () => {
    expect(isTombstone(hex("0000000000000005 5f 0000000000000002 74"), 0, 18)).toBe(true);
    expect(isTombstone(hex("0000000000000005 5f 0000000000000002 75"), 0, 18)).toBe(false);
    expect(isTombstone(hex("0000000000000005 5f 0000000000000002 74 74"), 0, 19)).toBe(false);
  });
});
