import { describe, expect, it } from "vitest";
import { type CatalogEntry, planPrune } from "./catalog.js";

const entry = (name: string, day: number): CatalogEntry => ({
  path: `/b/${name}`,
  name,
  time: new Date(Date.UTC(2024, 0, day)),
  size: 4128,
  encrypted: false,
  state: "unknown",
});

describe("planPrune", () => {
  const newestFirst = [entry("e", 5), entry("d", 4), entry("c", 3), entry("b", 2), entry("a", 1)];
  const names = (l: CatalogEntry[]) => l.map((e) => e.name);

  it("keeps the newest N when one of them verifies", () => {
    const { kept, removed } = planPrune(newestFirst, 2, (e) => e.name !== "e");
    expect(names(kept)).toEqual(["e", "d"]);
    expect(names(removed)).toEqual(["c", "b", "a"]);
  });

  it("never deletes the only verified snapshot", () => {
    const { kept, removed } = planPrune(newestFirst, 2, (e) => e.name === "b");
    expect(names(kept)).toEqual(["e", "d", "b"]);
    expect(names(removed)).toEqual(["c", "a"]);
  });

  it("removes what is beyond N when nothing verifies (nothing good to protect)", () => {
    expect(names(planPrune(newestFirst, 1, () => false).removed)).toEqual(["d", "c", "b", "a"]);
  });
});
