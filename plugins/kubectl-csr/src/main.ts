import { main } from "@kubemend/lib/cli/app";
import { VERSION } from "@kubemend/lib/version";
import { approveClientCommand } from "./commands/approve-client.js";
import { approveServingCommand } from "./commands/approve-serving.js";
import { denyCommand } from "./commands/deny.js";
import { listCommand } from "./commands/list.js";

await main({
  name: "csr",
  version: VERSION,
  summary:
    "Approve kubelet serving and client CSRs only when they provably belong to the node that asks, and explain every refusal.",
  commands: [listCommand, approveServingCommand, approveClientCommand, denyCommand],
});
