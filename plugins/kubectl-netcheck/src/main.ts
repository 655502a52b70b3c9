import { main } from "@kubemend/lib/cli/app";
import { VERSION } from "@kubemend/lib/version";

await main({
  name: "netcheck",
  version: VERSION,
  summary: "Why a Service, a pod, DNS or the cluster network does not work: the broken layer, and the fix.",
  commands: [],
});
