import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CATALOGUE } from "./catalogue.js";
import { docAnchor, renderFindingsDoc } from "./doc.js";

const FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../docs/findings.md");

describe("docs/findings.md", () => {
  it("is the catalogue as it is now (npm run docs:findings rewrites it)", () => {
    const current = renderFindingsDoc();
    if (process.env.KUBEMEND_WRITE_DOCS === "1") writeFileSync(FILE, current);
    expect(readFileSync(FILE, "utf8")).toBe(current);
  });

  it("has a heading, and so an anchor, for every code", () => {
    const doc = renderFindingsDoc();
    for (const code of Object.keys(CATALOGUE)) {
      expect(doc).toContain(`\n### ${code}\n`);
      expect(docAnchor(code)).toBe(`docs/findings.md#${code.toLowerCase()}`);
    }
  });
});
