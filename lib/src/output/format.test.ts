import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { UsageError } from "../cli/errors.js";
import { COMMON_OUTPUT_FORMATS, renderStructured, validateOutputFormat } from "./format.js";

const value = {
  apiVersion: "kubemend.io/v1",
  kind: "Thing",
  items: [
    { name: "a", count: 3, ok: true, note: "x: y", date: "2024-01-01", empty: null },
    { name: "b", nested: { list: ["1", "two"] } },
  ],
};

describe("renderStructured", () => {
  it("prints two-space JSON with a trailing newline", () => {
    const text = renderStructured({ a: 1, b: [2] }, "json");
    expect(text).toBe('{\n  "a": 1,\n  "b": [\n    2\n  ]\n}\n');
  });

  it("round-trips through JSON", () => {
    expect(JSON.parse(renderStructured(value, "json"))).toEqual(value);
  });

  it("round-trips through YAML, keeping strings that look like other types as strings", () => {
    const text = renderStructured(value, "yaml");
    expect(load(text)).toEqual(value);
    expect(text.startsWith("apiVersion: kubemend.io/v1\nkind: Thing\nitems:\n")).toBe(true);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("keeps key order in YAML and does not fold long lines", () => {
    const long = "word ".repeat(40).trim();
    const text = renderStructured({ z: 1, a: long }, "yaml");
    expect(text).toBe(`z: 1\na: ${long}\n`);
  });

  it("writes no YAML anchors for repeated objects", () => {
    const shared = { k: "v" };
    const text = renderStructured({ a: shared, b: shared }, "yaml");
    expect(text).not.toMatch(/[&*]ref/);
    expect(text).toBe("a:\n  k: v\nb:\n  k: v\n");
  });
});

describe("validateOutputFormat", () => {
  it("accepts an allowed format", () => {
    expect(validateOutputFormat("wide", COMMON_OUTPUT_FORMATS)).toBeUndefined();
  });

  it("rejects an unknown format with a UsageError naming the allowed ones", () => {
    let caught: unknown;
    try {
      validateOutputFormat("bogus", COMMON_OUTPUT_FORMATS);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).exitCode).toBe(2);
    expect((caught as UsageError).message).toBe('unsupported output format "bogus"');
    expect((caught as UsageError).hint).toBe("use -o with one of: table, wide, json, yaml");
  });
});
