import { main } from "@kubemend/lib/cli/app";
import { VERSION } from "@kubemend/lib/version";
import { clusterCommand } from "./commands/cluster.js";
import { dnsCommand } from "./commands/dns.js";
import { podCommand } from "./commands/pod.js";
import { policyCommand } from "./commands/policy.js";
import { svcCommand } from "./commands/svc.js";

await main({
  name: "netcheck",
  version: VERSION,
  summary: "Why a Service, a pod, DNS or the cluster network does not work: the broken layer, and the fix.",
  commands: [svcCommand, podCommand, dnsCommand, clusterCommand, policyCommand],
});
