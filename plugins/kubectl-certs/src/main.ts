import { main } from "@kubemend/lib/cli/app";
import { VERSION } from "@kubemend/lib/version";

await main({
  name: "certs",
  version: VERSION,
  summary:
    "Every certificate that can take the cluster down: control-plane PKI, kubeconfigs, secrets, webhook and APIService CA bundles, kubelets; expiry, SANs, chains, and served-versus-on-disk drift.",
  commands: [],
});
