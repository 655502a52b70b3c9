import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root, found by walking up from this module: the same answer from the sources
 * (vitest) and from the bundles under .tsbuild/ (demo, bench).
 */
function findRepo(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "test", "env", "versions.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find the kubemend repository above this module");
    dir = parent;
  }
  return dir;
}

export const REPO = findRepo();
export const ENV_DIR = path.join(REPO, "test", "env");
