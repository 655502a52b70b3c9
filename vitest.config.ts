import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

// Where the unit tests record the finding codes they emit, for the catalogue project after them.
process.env.KUBEMEND_EMITTED_DIR ??= path.join(tmpdir(), `kubemend-emitted-${process.pid}`);

// Three projects: "unit" is pure logic beside the code (fast, no cluster); "catalogue" runs after
// it and checks that its tests emitted every finding code; "e2e" drives the built plugins through
// the real kubectl against the real control plane in test/env.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "lib/src/**/*.test.ts",
            "plugins/*/src/**/*.test.ts",
            "test/env/**/*.unit.test.ts",
            "bench/**/*.test.ts",
            "scripts/**/*.test.ts",
          ],
          testTimeout: 30_000,
          setupFiles: ["lib/src/findings/emitted.setup.ts"],
          globalSetup: ["lib/src/findings/emitted.global.ts"],
          // Not 0: with one worker (two cores), vitest runs group 0 after every other group.
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: "catalogue",
          include: ["lib/src/findings/catalogue.coverage.ts"],
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/e2e/setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // Each file starts its own cluster; two cores run two at a time.
          maxWorkers: 2,
          fileParallelism: true,
          sequence: { groupOrder: 0 },
        },
      },
    ],
  },
});
