// Global setup of the unit project: an empty directory for what the test files emit.
import { mkdirSync, rmSync } from "node:fs";

export default function setup() {
  const dir = process.env.KUBEMEND_EMITTED_DIR;
  if (!dir) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}
