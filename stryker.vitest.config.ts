import { configDefaults, defineConfig } from "vitest/config";
import root from "./vitest.config.ts";

// Mutation testing (npm run mutate, see stryker.config.mjs) runs only the "unit" project of
// vitest.config.ts: the e2e project needs a network namespace and a cluster.
const unit = root.test?.projects?.find(
  (p) => typeof p === "object" && "test" in p && p.test?.name === "unit",
);
if (typeof unit !== "object" || !("test" in unit) || unit.test === undefined) {
  throw new Error('vitest.config.ts has no "unit" project');
}

export default defineConfig({
  test: {
    ...unit.test,
    // etcdsnap's pipeline tests start a real etcd for each file (or test) that runs them; Stryker
    // would start one for every mutant they cover. The bbolt and mvcc modules are measured by the
    // tests beside them (whose etcd and bbolt fixtures are made once per run).
    exclude: [
      ...configDefaults.exclude,
      "plugins/kubectl-etcdsnap/src/{archive,commands,contents,snapshot}/**/*.test.ts",
    ],
  },
});
