import { describe, expect, it } from "vitest";
import {
  BadInputError,
  CommandError,
  exitCodeOf,
  formatError,
  IncompleteError,
  UsageError,
} from "./errors.js";

describe("error classes", () => {
  it.each([
    [new UsageError("u"), "UsageError", 2],
    [new BadInputError("b"), "BadInputError", 2],
    [new IncompleteError("i"), "IncompleteError", 3],
    [new CommandError("c", 1), "CommandError", 1],
  ] as [CommandError, string, number][])("%s has name %s and exit code %d", (err, name, code) => {
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(err.exitCode).toBe(code);
    expect(exitCodeOf(err)).toBe(code);
  });

  it("keeps the cause", () => {
    const cause = new Error("inner");
    expect(new IncompleteError("outer", undefined, { cause }).cause).toBe(cause);
  });
});

describe("exitCodeOf", () => {
  it("maps anything that is not a CommandError to 3", () => {
    expect(exitCodeOf(new Error("x"))).toBe(3);
    expect(exitCodeOf("string")).toBe(3);
    expect(exitCodeOf(undefined)).toBe(3);
  });
});

describe("formatError", () => {
  it("prints one error line and the hint", () => {
    expect(formatError(new UsageError("bad flag", "see --help"), "kubectl certs", false)).toBe(
      "error: bad flag\n  hint: see --help",
    );
  });

  it("prints no hint line when there is none", () => {
    expect(formatError(new IncompleteError("gone"), "kubectl certs", false)).toBe("error: gone");
  });

  it("joins multi-line messages and hints onto one line", () => {
    expect(formatError(new UsageError("a\n  b\n", "c\nd"), "p", false)).toBe("error: a; b\n  hint: c; d");
  });

  it("calls anything else a bug and asks for -v=1", () => {
    expect(formatError(new TypeError("x is undefined"), "kubectl csr", false)).toBe(
      "error: x is undefined\n  hint: this is a bug in kubectl csr; rerun with -v=1 for the stack trace and report it",
    );
    expect(formatError("thrown string", "kubectl csr", false)).toBe(
      "error: thrown string\n  hint: this is a bug in kubectl csr; rerun with -v=1 for the stack trace and report it",
    );
  });

  it("adds the stack only when verbose", () => {
    const err = new Error("boom");
    expect(formatError(err, "p", false)).not.toContain("    at ");
    const verbose = formatError(err, "p", true);
    expect(verbose.startsWith("error: boom\n  hint: this is a bug in p;")).toBe(true);
    expect(verbose).toContain(`\n${err.stack}`);
  });
});
