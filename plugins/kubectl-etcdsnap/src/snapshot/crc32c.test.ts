import { describe, expect, it } from "vitest";
import { crc32c, crc32cUpdate } from "./crc32c.js";

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
});
