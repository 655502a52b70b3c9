import { describe, expect, it } from "vitest";
import { type ColorMode, colorEnabled, palette } from "./color.js";

describe("colorEnabled", () => {
  const cases: [ColorMode, NodeJS.ProcessEnv, boolean | undefined, boolean][] = [
    ["auto", {}, true, true],
    ["auto", {}, false, false],
    ["auto", {}, undefined, false],
    ["auto", { NO_COLOR: "1" }, true, false],
    ["auto", { NO_COLOR: "" }, true, true],
    ["auto", { TERM: "dumb" }, true, false],
    ["auto", { TERM: "xterm-256color" }, true, true],
    ["always", {}, false, true],
    ["always", { NO_COLOR: "1" }, false, true],
    ["always", { TERM: "dumb" }, undefined, true],
    ["never", {}, true, false],
    ["never", { NO_COLOR: "1" }, true, false],
  ];
  it.each(cases)("--color=%s env=%j tty=%s → %s", (mode, env, tty, expected) => {
    expect(colorEnabled(mode, env, tty)).toBe(expected);
  });
});

describe("palette", () => {
  it("leaves text unchanged when disabled", () => {
    const p = palette(false);
    for (const fn of [p.red, p.yellow, p.green, p.dim, p.bold]) expect(fn("text")).toBe("text");
  });

  it("wraps text in SGR codes when enabled", () => {
    const p = palette(true);
    expect(p.red("x")).toBe("\u001b[31mx\u001b[39m");
    expect(p.yellow("x")).toBe("\u001b[33mx\u001b[39m");
    expect(p.green("x")).toBe("\u001b[32mx\u001b[39m");
    expect(p.dim("x")).toBe("\u001b[2mx\u001b[22m");
    expect(p.bold("x")).toBe("\u001b[1mx\u001b[22m");
  });
});
