import { BOOTSTRAP_TOKEN_GROUP, startCluster } from "../../test/env/cluster.js";
import { CLIENT_GENERATOR, fileClientCsrs, prepareClientRequests } from "../generators/client-csrs.js";
import { deleteGeneratedCsrs } from "../generators/objects.js";
import type { Command } from "../measure.js";
import { type Suite, withPlugins } from "../suite.js";

const SEED = 7;

/**
 * Approving every pending kubelet client CSR: kubectl csr's checked approval against kubectl's
 * unchecked one. The cluster has no auto-approval binding (S5), so the CSRs wait for them.
 */
export const csrApproveClient: Suite = {
  name: "csr-approve-client",
  describe:
    "kubectl csr approve-client --all versus kubectl certificate approve <names>, on 1,000 fresh pending client CSRs filed with a bootstrap token per run",
  requires: [{ plugin: "csr", command: "approve-client" }],
  async prepare({ repo, scale }) {
    const cluster = await startCluster({ bootstrapRbac: false });
    const admin = await cluster.admin();
    const count = Math.max(1, Math.round(1_000 * scale));
    const kubeconfig = ["--kubeconfig", cluster.adminKubeconfig];
    const bound = await cluster.kubectl([
      "create",
      "clusterrolebinding",
      "kubeadm:kubelet-bootstrap",
      "--clusterrole=system:node-bootstrapper",
      `--group=${BOOTSTRAP_TOKEN_GROUP}`,
    ]);
    if (bound.code !== 0) {
      await cluster.stop();
      throw new Error(`bench: csr-approve-client: ${bound.stderr.trim()}`);
    }
    const requests = await prepareClientRequests(SEED, count);
    const b: Command = {
      label: "kubectl certificate approve",
      argv: ["kubectl", "certificate", "approve", `<${count} names>`, ...kubeconfig],
    };
    let run = 0;
    return {
      a: {
        label: "kubectl csr approve-client --all",
        argv: ["kubectl", "csr", "approve-client", "--all", ...kubeconfig],
        env: withPlugins(repo),
      },
      b,
      async beforeRun(side) {
        await deleteGeneratedCsrs(admin, CLIENT_GENERATOR, SEED);
        const names = await fileClientCsrs(admin, requests, { seed: SEED, run: String(++run) });
        return side === "b"
          ? { ...b, argv: ["kubectl", "certificate", "approve", ...names, ...kubeconfig] }
          : undefined;
      },
      teardown: () => cluster.stop(),
    };
  },
};
