import { describe, expect, it } from "vitest";
import {
  describeNearMiss,
  editDistance,
  nearMiss,
  selectorMatches,
  selectorQuery,
  similar,
} from "./labels.js";

describe("labels", () => {
  it("matches selectors with matchLabels and every operator", () => {
    const labels = { app: "web", tier: "front" };
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "web" } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "db" } }, labels)).toBe(false);
    expect(
      selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }] }, labels),
    ).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, labels),
    ).toBe(false);
    expect(
      selectorMatches({ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, labels),
    ).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, labels)).toBe(
      true,
    );
    expect(selectorMatches({ matchLabels: { app: "web" } }, undefined)).toBe(false);
  });

  it("writes the labelSelector query form", () => {
    expect(
      selectorQuery({
        matchLabels: { app: "web" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["b", "a"] },
          { key: "zone", operator: "NotIn", values: ["x"] },
          { key: "canary", operator: "Exists" },
          { key: "legacy", operator: "DoesNotExist" },
        ],
      }),
    ).toBe("app=web,tier in (a,b),zone notin (x),canary,!legacy");
  });

  it("finds near misses: another value, a key typo, a missing label", () => {
    const selector = { app: "my-app", tier: "web" };
    expect(nearMiss(selector, { app: "myapp", tier: "web" })).toEqual({
      key: "app",
      want: "my-app",
      have: "myapp",
    });
    expect(nearMiss(selector, { ap: "my-app", tier: "web" })).toEqual({
      key: "app",
      want: "my-app",
      similarKey: "ap",
    });
    expect(nearMiss(selector, { tier: "web" })).toEqual({ key: "app", want: "my-app" });
    expect(nearMiss(selector, { app: "my-app", tier: "web" })).toBeUndefined();
    expect(nearMiss(selector, { app: "x", tier: "y" })).toBeUndefined();
  });

  it("describes near misses in words", () => {
    expect(describeNearMiss({ key: "app", want: "a", have: "b" })).toBe(
      "has app=b, the selector wants app=a",
    );
    expect(describeNearMiss({ key: "app", want: "a", similarKey: "App" })).toBe(
      "has App=a, the selector wants app=a",
    );
    expect(describeNearMiss({ key: "app", want: "a" })).toBe("lacks app=a");
  });

  it("calls names similar by case, separators or a couple of edits", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(similar("my-app", "myapp")).toBe(true);
    expect(similar("frontend", "frontned")).toBe(true);
    expect(similar("web", "db")).toBe(false);
  });
});
