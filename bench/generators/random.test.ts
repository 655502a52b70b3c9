import { describe, expect, it } from "vitest";
import { Random } from "./random.js";

const draw = (rnd: Random) => Array.from({ length: 5 }, () => rnd.next());

describe("Random", () => {
  it("repeats the same sequence for the same seed, numeric or text", () => {
    expect(draw(new Random(42))).toEqual(draw(new Random(42)));
    expect(draw(new Random("bench"))).toEqual(draw(new Random("bench")));
    expect(draw(new Random(42))).not.toEqual(draw(new Random(43)));
  });

  it("stays in range", () => {
    const rnd = new Random(7);
    for (let i = 0; i < 1000; i++) {
      const f = rnd.next();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      const n = rnd.int(3, 5);
      expect([3, 4, 5]).toContain(n);
      expect(rnd.skewed(10)).toBeLessThan(10);
    }
  });

  it("skews towards low indexes", () => {
    const rnd = new Random(1);
    const counts = new Map<number, number>();
    for (let i = 0; i < 4000; i++) {
      const index = rnd.skewed(4);
      counts.set(index, (counts.get(index) ?? 0) + 1);
    }
    expect(counts.get(0)).toBeGreaterThan(counts.get(3) ?? 0);
  });

  it("forks streams from the seed alone, whatever the parent has drawn", () => {
    const a = new Random(9);
    const b = new Random(9);
    draw(b);
    expect(draw(a.fork("tls"))).toEqual(draw(b.fork("tls")));
    expect(draw(a.fork("tls"))).not.toEqual(draw(a.fork("other")));
  });

  it("makes bytes and names of the requested length", () => {
    const rnd = new Random(3);
    expect(rnd.bytes(7)).toHaveLength(7);
    expect(rnd.alphanumeric(5)).toMatch(/^[a-z0-9]{5}$/);
    expect(new Random(3).bytes(7)).toEqual(new Random(3).bytes(7));
  });
});
