import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CATALOGUE, type CodeSpec, type FindingCode, finding, severityOf } from "./catalogue.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !/\.test\.ts$|testing\.ts$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

describe("the finding catalogue", () => {
  it("takes the severity from the table, by case where a code has several", () => {
    const subject = { kind: "Node", name: "n" };
    expect(finding("NODE_NOT_READY", { subject, message: "m" })).toEqual({
      code: "NODE_NOT_READY",
      severity: "critical",
      subject,
      message: "m",
    });
    expect(finding("PODS_NOT_READY", { case: "some-ready", subject, message: "m" }).severity).toBe("warning");
    expect(finding("PODS_NOT_READY", { case: "none-ready", subject, message: "m" }).severity).toBe(
      "critical",
    );
    // The case is how the severity was chosen, not part of the finding.
    expect(finding("PODS_NOT_READY", { case: "none-ready", subject, message: "m" })).not.toHaveProperty(
      "case",
    );
  });

  it("refuses a code it does not hold, and a case a code does not have", () => {
    const subject = { kind: "Node", name: "n" };
    expect(() => finding("NO_SUCH_CODE" as FindingCode, { subject, message: "m" } as never)).toThrow(
      "finding code NO_SUCH_CODE is not in the catalogue",
    );
    expect(() => severityOf("PODS_NOT_READY", "sometimes")).toThrow(
      'finding PODS_NOT_READY has no case "sometimes"',
    );
    expect(() => severityOf("PODS_NOT_READY")).toThrow('finding PODS_NOT_READY has no case "undefined"');
  });

  it("gives every code a layer, a one-sentence meaning and a next step", () => {
    for (const [code, spec] of Object.entries(CATALOGUE as Record<string, CodeSpec>)) {
      expect(code, code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(spec.layer, code).toMatch(/^[a-z-]+$/);
      expect(spec.meaning, code).toMatch(/^[A-Z].*\.$/);
      expect(spec.next.length, code).toBeGreaterThan(5);
      if (typeof spec.severity !== "string")
        expect(Object.keys(spec.severity).length, code).toBeGreaterThan(1);
    }
  });

  it("is the only place severities come from: no plugin source writes one", () => {
    const offenders = ["plugins/kubectl-certs/src", "plugins/kubectl-netcheck/src", "plugins/kubectl-csr/src"]
      .flatMap((dir) => sources(path.join(ROOT, dir)))
      .flatMap((file) =>
        readFileSync(file, "utf8")
          .split("\n")
          .map((line, i) => ({ where: `${path.relative(ROOT, file)}:${i + 1}`, line }))
          .filter(({ line }) => /\bseverity: "(info|warning|critical)"/.test(line)),
      );
    expect(offenders.map((o) => `${o.where}: ${o.line.trim()}`)).toEqual([]);
  });
});
