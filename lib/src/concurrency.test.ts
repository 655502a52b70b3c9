import { describe, expect, it } from "vitest";
import { mapLimit, outcome, unwrap } from "./concurrency.js";

describe("mapLimit", () => {
  it("keeps the order of results and never exceeds the limit", async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it("returns nothing for no items", async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});

describe("outcome", () => {
  it("keeps a failure for whoever unwraps it, and a value as it is", async () => {
    const failed = outcome(Promise.reject(new Error("disk full")));
    // Nothing is awaiting it yet: no unhandled rejection (vitest fails the run on one).
    await new Promise((resolve) => setTimeout(resolve, 10));
    const o = await failed;
    expect(o).toEqual({ ok: false, error: new Error("disk full") });
    expect(() => unwrap(o)).toThrow("disk full");
    expect(unwrap(await outcome(Promise.resolve(7)))).toBe(7);
  });
});
