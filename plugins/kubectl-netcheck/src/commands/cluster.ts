import type { CommandSpec } from "@kubemend/lib/cli/app";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { KubeCommand } from "@kubemend/lib/cli/kube-command";
import type { FailOn } from "@kubemend/lib/findings/finding";
import { checkAgents, checkNodes, unseenAgents } from "../checks/agents.js";
import { checkApiServerService } from "../checks/apiserver.js";
import { checkDns } from "../checks/dns.js";
import { verdictOf } from "../checks/layers.js";
import { collectAgents } from "../collect/agents.js";
import { collectApiServer } from "../collect/apiserver.js";
import { collectDns } from "../collect/dns.js";
import { collectList, Gaps } from "../collect/gaps.js";
import { CORE, type Node } from "../model.js";
import { failOnFrom, report, withFailOn } from "./flags.js";

class Cluster extends KubeCommand<{ failOn: FailOn }> {
  protected readOptions(args: Record<string, unknown>) {
    return { failOn: failOnFrom(args) };
  }

  async run(): Promise<ExitCode> {
    const gaps = new Gaps();
    const [nodes, agents, apiServer, dns] = await Promise.all([
      collectList(this.client.list<Node>(CORE("nodes"))),
      collectAgents(this.client, gaps),
      collectApiServer(this.client, gaps),
      collectDns(this.client, gaps),
    ]);
    const byName = new Map<string, Node | undefined>(nodes.map((n) => [n.metadata.name, n]));
    const findings = [
      ...checkDns(dns),
      ...checkNodes(byName, "a cluster node"),
      ...checkAgents(agents, byName.keys(), [], () => "a cluster node"),
      ...unseenAgents(agents, ["kube-proxy", "cni"]),
      ...checkApiServerService(apiServer),
    ];
    const kinds = [...new Set(agents.map((a) => a.agent))].sort().join(", ") || "no known node agents";
    const ok = `${nodes.length} nodes Ready with ${kinds}; the kubernetes Service matches the API servers; DNS is up`;
    return report(this.ctx, "Cluster network", verdictOf(findings, ok), findings, this.options.failOn);
  }
}

export const clusterCommand: CommandSpec = {
  command: "cluster",
  describe:
    "Per node: Ready, NetworkUnavailable, kube-proxy and CNI; the kubernetes Service against the API servers; CoreDNS",
  builder: withFailOn,
  create: (args, ctx) => new Cluster(args, ctx),
};
