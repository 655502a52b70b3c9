import { startCluster } from "../../test/env/cluster.js";
import { deleteGeneratedCsrs } from "../generators/objects.js";
import { fileServingCsrs, GENERATOR, prepareServingRequests } from "../generators/serving-csrs.js";
import type { Command } from "../measure.js";
import { type Suite, withPlugins } from "../suite.js";

const SEED = 5;

/** Approving every pending serving CSR: kubectl csr's checked approval against kubectl's unchecked one (issue #5). */
export const csrApprove: Suite = {
  name: "csr-approve",
  describe:
    "kubectl csr approve-serving --all versus kubectl certificate approve <names>, on 1,000 fresh pending serving CSRs from 1,000 nodes per run",
  requires: [{ plugin: "csr", command: "approve-serving" }],
  async prepare({ repo, scale }) {
    const cluster = await startCluster();
    const admin = await cluster.admin();
    const count = Math.max(1, Math.round(1_000 * scale));
    const kubeconfig = ["--kubeconfig", cluster.adminKubeconfig];
    let requests: Awaited<ReturnType<typeof prepareServingRequests>>;
    try {
      const started = performance.now();
      requests = await prepareServingRequests(admin, { seed: SEED, count, block: cluster.block });
      console.error(
        `bench: csr-approve: ${count} nodes and requests in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    const b: Command = {
      label: "kubectl certificate approve",
      argv: ["kubectl", "certificate", "approve", `<${count} names>`, ...kubeconfig],
    };
    let run = 0;
    return {
      a: {
        label: "kubectl csr approve-serving --all",
        argv: ["kubectl", "csr", "approve-serving", "--all", ...kubeconfig],
        env: withPlugins(repo),
      },
      b,
      async beforeRun(side) {
        await deleteGeneratedCsrs(admin, GENERATOR, SEED);
        const names = await fileServingCsrs(admin, requests, { seed: SEED, run: String(++run) });
        return side === "b"
          ? { ...b, argv: ["kubectl", "certificate", "approve", ...names, ...kubeconfig] }
          : undefined;
      },
      teardown: () => cluster.stop(),
    };
  },
};
