import { defineConfig } from "vitest/config";

// Two projects: "unit" is pure logic beside the code (fast, no cluster); "e2e" drives the built
// plugins through the real kubectl against the real control plane in test/env.
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
        },
      },
    ],
  },
});
