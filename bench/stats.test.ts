import { describe, expect, it } from "vitest";
import { pairedRatios, summarize } from "./stats.js";

describe("summarize", () => {
  it("takes the middle value of an odd sample", () => {
    expect(summarize([5, 1, 3])).toEqual({ min: 1, median: 3, max: 5 });
  });
  it("averages the two middle values of an even sample", () => {
    expect(summarize([4, 1, 2, 3])).toEqual({ min: 1, median: 2.5, max: 4 });
  });
  it("refuses an empty sample", () => {
    expect(() => summarize([])).toThrow("no samples");
  });
});

describe("pairedRatios", () => {
  it("divides run by run", () => {
    expect(pairedRatios([2, 3, 8], [1, 3, 4])).toEqual([2, 1, 2]);
  });
  it("refuses unpaired samples", () => {
    expect(() => pairedRatios([1], [1, 2])).toThrow("unpaired");
  });
});
