// Runs after the unit project (vitest.config.ts: groupOrder), over what its tests emitted.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOGUE, type CodeSpec } from "./catalogue.js";

describe("the finding catalogue against the unit tests", () => {
  it("every code, and every case of a code, is emitted by some unit test", () => {
    const dir = process.env.KUBEMEND_EMITTED_DIR ?? "";
    if (!existsSync(dir) || readdirSync(dir).length === 0)
      throw new Error(
        "nothing was recorded: run this project together with the unit project (npx vitest run --project unit --project catalogue)",
      );
    const emitted = new Set<string>();
    for (const file of readdirSync(dir))
      for (const key of JSON.parse(readFileSync(path.join(dir, file), "utf8")) as string[]) emitted.add(key);
    const expected = Object.entries(CATALOGUE as Record<string, CodeSpec>).flatMap(([code, spec]) =>
      typeof spec.severity === "string"
        ? [code]
        : Object.keys(spec.severity).map((situation) => `${code}/${situation}`),
    );
    expect(expected.filter((key) => !emitted.has(key))).toEqual([]);
    // And nothing outside the catalogue (finding() refuses it, so this holds unless that changes).
    expect([...emitted].filter((key) => !expected.includes(key))).toEqual([]);
  });
});
