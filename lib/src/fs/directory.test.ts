import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BadInputError } from "../cli/errors.js";
import { directoryAt, existingDirectory } from "./directory.js";

describe("directory flags", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kubemend-dir-"));
  const file = path.join(dir, "file");
  writeFileSync(file, "x");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("tells a directory from nothing, and refuses anything else as bad input", () => {
    expect(directoryAt(dir, "--dir")).toBe("directory");
    expect(directoryAt(path.join(dir, "none"), "--dir")).toBe("missing");
    expect(() => directoryAt(file, "--pki-dir")).toThrow(
      new BadInputError(`--pki-dir ${file} is not a directory`, "pass a directory with --pki-dir"),
    );
    expect(() => directoryAt(path.join(file, "below"), "--dir")).toThrow(BadInputError);
  });

  it("requires a directory that a command reads to be there", () => {
    expect(existingDirectory(dir, "--dir")).toBe(dir);
    expect(() => existingDirectory(path.join(dir, "none"), "--dir", "create it first")).toThrow(
      `--dir ${path.join(dir, "none")} does not exist`,
    );
  });
});
