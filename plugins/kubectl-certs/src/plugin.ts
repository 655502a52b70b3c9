import type { PluginSpec } from "@kubemend/lib/cli/app";
import { VERSION } from "@kubemend/lib/version";
import { expiryCommand } from "./commands/expiry.js";
import { inspectCommand } from "./commands/inspect.js";
import { sansCommand } from "./commands/sans.js";

export const certsPlugin: PluginSpec = {
  name: "certs",
  version: VERSION,
  summary:
    "Every certificate that can take the cluster down: control-plane PKI, kubeconfigs, secrets, webhook and APIService CA bundles, kubelets; expiry, SANs, chains, and served-versus-on-disk drift.",
  commands: [expiryCommand, sansCommand, inspectCommand],
};
