// Mutation testing of the pure rule sets: `npm run mutate`. Not part of CI.
// See docs/testing/mutation.md for the scores and the surviving mutants.
//
// All modules:        npm run mutate
// Named modules:      MUTATE_MODULES=csr-policy,netcheck-policy npm run mutate
// Any files (globs):  npm run mutate -- --mutate 'plugins/kubectl-csr/src/policy/sans.ts'
//
// Everything Stryker writes (sandboxes, reports, log) goes under .stryker/ (git-ignored).

/** Each module's files. Only these are mutated: never *.test.ts, testing.ts or types.ts. */
export const modules = {
  "csr-policy": [
    "plugins/kubectl-csr/src/policy/{key,limits,node-addresses,request,requestor,review,sans,signer,state,usages}.ts",
  ],
  "netcheck-policy": ["plugins/kubectl-netcheck/src/policy/simulate.ts"],
  "certs-checks": ["plugins/kubectl-certs/src/checks/*.ts", "!plugins/kubectl-certs/src/checks/*.test.ts"],
  "netcheck-checks": [
    "plugins/kubectl-netcheck/src/checks/*.ts",
    "!plugins/kubectl-netcheck/src/checks/*.test.ts",
  ],
  "etcdsnap-mvcc": ["plugins/kubectl-etcdsnap/src/mvcc/*.ts", "!plugins/kubectl-etcdsnap/src/mvcc/*.test.ts"],
  "etcdsnap-bbolt": ["plugins/kubectl-etcdsnap/src/bbolt/{blockfile,check,layout,page,reader}.ts"],
};

const requested = (process.env.MUTATE_MODULES ?? "")
  .split(",")
  .map((m) => m.trim())
  .filter((m) => m !== "");
for (const name of requested) {
  if (!(name in modules)) {
    throw new Error(`MUTATE_MODULES: unknown module "${name}"; known: ${Object.keys(modules).join(", ")}`);
  }
}
const selected = requested.length > 0 ? requested : Object.keys(modules);
const reportName = requested.length > 0 ? selected.join("+") : "mutation";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  vitest: { configFile: "stryker.vitest.config.ts", related: true },
  plugins: ["@stryker-mutator/vitest-runner"],
  mutate: selected.flatMap((m) => modules[m]),
  coverageAnalysis: "perTest",
  // Stryker rewrites tsconfig paths that would point out of its sandbox, with TypeScript's JS API.
  // None do here (the sandbox holds the whole repo), and TypeScript 7 has no JS API: point it at a
  // file that does not exist so that it skips the rewrite.
  tsconfigFile: ".stryker/no-tsconfig-rewrite.json",
  // The machine has two cores and is shared: one test runner at a time.
  concurrency: 1,
  timeoutMS: 10_000,
  tempDirName: ".stryker/tmp",
  cleanTempDir: true,
  incrementalFile: ".stryker/incremental.json",
  // Keep the sandbox copy small: build output and toolchains are not needed. (test/env/gobuild is:
  // the etcd snapshot fixtures of the etcdsnap tests find their cached control plane by its hash.)
  ignorePatterns: [".stryker", ".tools", ".tsbuild", "**/dist", "bin", "bench/results", "coverage"],
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  htmlReporter: { fileName: `.stryker/reports/${reportName}.html` },
  jsonReporter: { fileName: `.stryker/reports/${reportName}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 85, low: 75, break: null },
};
