import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["30d", 30 * 86_400_000],
    ["364d", 364 * 86_400_000],
    ["2h", 7_200_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1.5s", 1_500],
    ["0", 0],
    ["1w", 604_800_000],
  ])("%s", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "30", "d", "3x", "1h 30m", "-1s", "1h30"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatDuration", () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  it.each([
    [45 * s, "45s"],
    [119 * s, "119s"],
    [5 * m + 30 * s, "5m30s"],
    [5 * m, "5m"],
    [150 * m, "150m"],
    [5 * h + 10 * m, "5h10m"],
    [30 * h, "30h"],
    [3 * d + 4 * h, "3d4h"],
    [364 * d, "364d"],
    [2 * 365 * d + 10 * d, "2y10d"],
    [10 * 365 * d, "10y"],
    [-3 * d, "-3d"],
  ])("%d ms → %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});
