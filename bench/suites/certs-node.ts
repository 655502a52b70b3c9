import path from "node:path";
import { startBinaryCluster } from "../../test/env/binary-cluster.js";
import type { Suite } from "../suite.js";

const WITHOUT_NODE = "kubeconfig,pki,served,ca,secrets,webhooks,apiservices,nodes,bootstrap-tokens";

/**
 * What discovery from the node costs: `certs expiry` on a binary-install control-plane node (3
 * etcd members, the control plane and a kubelet, found from /proc and their systemd units) against
 * the same run with the node source left out. The bound is the difference of the
 * medians: at most 150 ms.
 */
export const certsNode: Suite = {
  name: "certs-node",
  describe: "kubectl certs expiry on a binary-install node, with and without the node source",
  async prepare({ repo }) {
    const cluster = await startBinaryCluster();
    const base = [
      path.join(repo, "bin", "kubectl-certs"),
      "expiry",
      "--kubeconfig",
      cluster.adminKubeconfig,
      "-o",
      "json",
    ];
    return {
      a: { label: "certs expiry (with node)", argv: base, okExitCodes: [0] },
      b: {
        label: "certs expiry --source without node",
        argv: [...base, "--source", WITHOUT_NODE],
        okExitCodes: [0],
      },
      teardown: () => cluster.stop(),
    };
  },
};
