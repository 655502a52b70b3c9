// Setup file of the unit project: records the finding codes (and cases) each test file emits, for
// the catalogue's coverage test (catalogue.coverage.ts), which runs after all unit tests.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll } from "vitest";

const dir = process.env.KUBEMEND_EMITTED_DIR;
const emitted = new Set<string>();
(globalThis as { __kubemendEmitted?: Set<string> }).__kubemendEmitted = emitted;

afterAll(() => {
  if (!dir || emitted.size === 0) return;
  mkdirSync(dir, { recursive: true });
  const name = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`;
  writeFileSync(path.join(dir, name), JSON.stringify([...emitted]));
});
