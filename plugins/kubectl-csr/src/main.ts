import { main } from "@kubemend/lib/cli/app";
import { VERSION } from "@kubemend/lib/version";

await main({
  name: "csr",
  version: VERSION,
  summary:
    "Approve kubelet serving CSRs only when they provably belong to the node that asks, and explain every refusal.",
  commands: [],
});
