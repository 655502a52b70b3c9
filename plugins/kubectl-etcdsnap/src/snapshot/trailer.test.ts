import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hasTrailerSize, TrailerHasher } from "./trailer.js";

describe("TrailerHasher", () => {
  const body = Buffer.from(Array.from({ length: 2000 }, (_, i) => i & 0xff));
  const trailer = createHash("sha256").update(body).digest();
  const file = Buffer.concat([body, trailer]);

  it.each([1, 5, 31, 32, 33, 64, 1000, 5000])(
    "hashes all but the last 32 bytes with %i-byte chunks",
    (size) => {
      const h = new TrailerHasher();
      for (let i = 0; i < file.length; i += size) h.update(file.subarray(i, i + size));
      expect(h.digest()).toEqual({ actual: trailer.toString("hex"), trailer: trailer.toString("hex") });
      expect(h.size).toBe(file.length);
    },
  );

  it("has no trailer when fewer than 32 bytes arrive", () => {
    const h = new TrailerHasher();
    h.update(Buffer.alloc(10));
    expect(h.digest().trailer).toBeNull();
  });

  it("knows etcd's size rule", () => {
    expect(hasTrailerSize(20512)).toBe(true);
    expect(hasTrailerSize(20480)).toBe(false);
  });
});
