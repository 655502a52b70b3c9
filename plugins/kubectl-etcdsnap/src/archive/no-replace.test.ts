import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renameNoReplace } from "./no-replace.js";

describe("renameNoReplace", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kubemend-no-replace-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names the file, and drops the temporary name", async () => {
    writeFileSync(path.join(dir, "a.db.part"), "new");
    await renameNoReplace(path.join(dir, "a.db.part"), path.join(dir, "a.db"));
    expect(readFileSync(path.join(dir, "a.db"), "utf8")).toBe("new");
    expect(() => readFileSync(path.join(dir, "a.db.part"))).toThrow(/ENOENT/);
  });

  it("never replaces a file that appeared under the final name meanwhile", async () => {
    writeFileSync(path.join(dir, "b.db"), "old");
    writeFileSync(path.join(dir, "b.db.part"), "new");
    await expect(renameNoReplace(path.join(dir, "b.db.part"), path.join(dir, "b.db"))).rejects.toThrow(
      `${path.join(dir, "b.db")} already exists`,
    );
    expect(readFileSync(path.join(dir, "b.db"), "utf8")).toBe("old");
    expect(readFileSync(path.join(dir, "b.db.part"), "utf8")).toBe("new");
  });
});
