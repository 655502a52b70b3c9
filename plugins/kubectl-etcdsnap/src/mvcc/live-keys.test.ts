import { describe, expect, it } from "vitest";
import { LiveKeys } from "./live-keys.js";

describe("LiveKeys", () => {
  it("counts what a Set of the keys counts, over puts and deletes of 300,000 similar keys", () => {
    const live = new LiveKeys();
    const want = new Set<string>();
    let x = 12345;
    const next = () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x;
    };
    for (let i = 0; i < 600_000; i++) {
      const n = next() % 300_000;
      // Keys as kube-apiserver writes them: long shared prefixes, differing in a few bytes.
      const key = Buffer.from(`/registry/pods/namespace-${n % 97}/pod-${n}`, "latin1");
      const framed = Buffer.concat([Buffer.from([7, 7]), key, Buffer.from([9])]);
      if (next() % 4 === 0) {
        live.delete(framed, 2, 2 + key.length);
        want.delete(key.toString("latin1"));
      } else {
        live.put(framed, 2, 2 + key.length);
        want.add(key.toString("latin1"));
      }
    }
    expect(want.size).toBeGreaterThan(100_000);
    expect(live.size).toBe(want.size);
  });

  it("counts a key put again after its delete, and ignores a delete of a key never put", () => {
    const live = new LiveKeys();
    const k = Buffer.from("/registry/secrets/default/a");
    live.delete(k, 0, k.length);
    expect(live.size).toBe(0);
    live.put(k, 0, k.length);
    live.put(k, 0, k.length);
    expect(live.size).toBe(1);
    live.delete(k, 0, k.length);
    expect(live.size).toBe(0);
    live.put(k, 0, k.length);
    expect(live.size).toBe(1);
    live.put(k, 0, k.length - 1);
    expect(live.size).toBe(2);
  });
});
