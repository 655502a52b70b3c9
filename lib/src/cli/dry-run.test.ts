import { describe, expect, it } from "vitest";
import { parseDryRun } from "./dry-run.js";

describe("parseDryRun", () => {
  it.each([
    [undefined, "none"],
    [false, "none"],
    ["none", "none"],
    ["", "client"],
    [true, "client"],
    ["client", "client"],
    ["server", "server"],
  ])("--dry-run %j is %s", (value, expected) => {
    expect(parseDryRun(value)).toBe(expected);
  });

  it("rejects anything else, such as a CSR name swallowed by a bare --dry-run", () => {
    expect(() => parseDryRun("csr-abc")).toThrow('invalid --dry-run "csr-abc"');
  });
});
