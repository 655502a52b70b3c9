import { describe, expect, it } from "vitest";
import { RESOURCES, registryEntry, storedValue } from "./etcd-db.js";
import { Random } from "./random.js";

describe("registryEntry", () => {
  it("lays keys out as kube-apiserver does, the same for the same seed", () => {
    const entries = (seed: number) => {
      const rnd = new Random(seed);
      return Array.from({ length: 500 }, (_, i) => registryEntry(rnd, i));
    };
    const keys = entries(5).map((e) => e.key);
    expect(keys).toEqual(entries(5).map((e) => e.key));
    expect(new Set(keys).size).toBe(500);
    for (const e of entries(5)) {
      const pattern = e.resource.namespaced
        ? /^\/registry\/[a-z/]+\/ns-\d+\/[a-z0-9-]+$/
        : /^\/registry\/[a-z0-9./]+\/[a-z0-9.-]+$/;
      expect(e.key).toMatch(pattern);
      expect(e.key.startsWith(`/registry/${e.resource.prefix}/`)).toBe(true);
      expect(e.size).toBeGreaterThanOrEqual(e.resource.size[0]);
      expect(e.size).toBeLessThanOrEqual(e.resource.size[1]);
    }
    const prefixes = new Set(entries(5).map((e) => e.resource.prefix));
    expect(prefixes).toContain("pods");
    expect(prefixes).toContain("events");
    expect(prefixes).toContain("minions");
  });
});

describe("storedValue", () => {
  it("is the k8s protobuf envelope with the kind, at exactly the planned size", () => {
    const pod = RESOURCES.find((r) => r.kind === "Pod");
    if (!pod) throw new Error("no Pod shape");
    const value = storedValue(pod, 4096, new Random(1));
    expect(value).toHaveLength(4096);
    expect(value.subarray(0, 4).toString("latin1")).toBe("k8s\0");
    // runtime.Unknown field 1 (TypeMeta) holds apiVersion "v1" (field 1) and kind "Pod" (field 2).
    expect([...value.subarray(4, 13)]).toEqual([0x0a, 9, 0x0a, 2, 0x76, 0x31, 0x12, 3, 0x50]);
  });
});
