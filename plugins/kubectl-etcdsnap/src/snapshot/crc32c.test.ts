import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  Crc32cRuns,
  crc32c,
  crc32cCombine,
  crc32cImplementation,
  crc32cUpdate,
  crc32cUpdateJs,
  type KnownRuns,
} from "./crc32c.js";

describe("crc32c", () => {
  it("matches the Castagnoli check values", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it("gives the same result however the input is split", () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff);
    const whole = crc32c(data);
    for (const cut of [1, 7, 8, 9, 500, 999]) {
      expect(crc32cUpdate(crc32cUpdate(0, data, 0, cut), data, cut, data.length - cut)).toBe(whole);
    }
  });

  it("uses the native addon here, and the JavaScript fallback agrees with it at every alignment", () => {
    expect(crc32cImplementation()).toBe("native");
    const data = randomBytes(4096 + 64);
    for (let off = 0; off < 8; off++)
      for (const len of [0, 1, 3, 15, 16, 17, 63, 64, 65, 1000, 4096]) {
        expect(crc32cUpdateJs(0x1234, data, off, len)).toBe(crc32cUpdate(0x1234, data, off, len));
      }
    const pooled = Buffer.from("123456789");
    expect(crc32cUpdateJs(0, pooled, 0, pooled.length)).toBe(0xe3069283);
  });

  it("joins contiguous runs and keeps separate ones apart, giving the CRC of the concatenation", () => {
    const a = randomBytes(300);
    const b = randomBytes(200);
    const runs = new Crc32cRuns();
    runs.add(a, 0, 10);
    runs.add(a, 10, 90);
    runs.add(b, 5, 50);
    runs.flush();
    runs.add(a, 100, 200);
    runs.add(a, 0, 1);
    const want = crc32c(
      Buffer.concat([a.subarray(0, 100), b.subarray(5, 55), a.subarray(100, 300), a.subarray(0, 1)]),
    );
    expect(runs.value()).toBe(want);
  });

  it("combines the CRCs of two parts into the CRC of their concatenation", () => {
    const data = randomBytes(70_000);
    for (const cut of [0, 1, 5, 16, 4095, 4096, 4097, 65_536, 69_999, 70_000]) {
      const a = crc32c(data.subarray(0, cut));
      const b = crc32c(data.subarray(cut));
      expect(crc32cCombine(a, b, data.length - cut)).toBe(crc32c(data));
    }
    // 600 MiB of zeros: 8·len needs more than 32 bits, so the shift uses squares past x^(2^32).
    const zeros = new Uint8Array(1 << 20);
    let tail = 0;
    let whole = 0x1234;
    for (let i = 0; i < 600; i++) {
      tail = crc32cUpdate(tail, zeros, 0, zeros.length);
      whole = crc32cUpdate(whole, zeros, 0, zeros.length);
    }
    expect(crc32cCombine(0x1234, tail, 600 * zeros.length)).toBe(whole);
  });

  it("combines a known run in instead of reading it, and reads the runs it does not know", () => {
    const file = randomBytes(8192);
    const block = file.subarray(4096);
    const known: KnownRuns & { used: number } = {
      used: 0,
      offsetOf: (buf) => (buf === block ? 4096 : undefined),
      append(crc, offset, len) {
        if (offset !== 4096 + 100 || len !== 1000) return undefined;
        this.used++;
        return crc32cCombine(crc, crc32c(file.subarray(offset, offset + len)), len);
      },
    };
    const other = randomBytes(50);
    const runs = new Crc32cRuns(known);
    runs.add(other, 0, 50);
    runs.add(block, 100, 400);
    runs.add(block, 500, 600);
    runs.flush();
    runs.add(block, 2000, 10);
    const want = crc32c(Buffer.concat([other, block.subarray(100, 1100), block.subarray(2000, 2010)]));
    expect(runs.value()).toBe(want);
    expect(known.used).toBe(1);
  });
});
