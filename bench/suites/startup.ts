import path from "node:path";
import type { Suite } from "../suite.js";

/** CLI start-up: a plugin's --help against kubectl's own client-only command. */
export const startup: Suite = {
  name: "startup",
  describe: "kubectl-certs --help versus kubectl version --client (CLI start-up)",
  async prepare({ repo }) {
    return {
      a: { label: "kubectl-certs --help", argv: [path.join(repo, "bin", "kubectl-certs"), "--help"] },
      b: { label: "kubectl version --client", argv: ["kubectl", "version", "--client"] },
      async teardown() {},
    };
  },
};
