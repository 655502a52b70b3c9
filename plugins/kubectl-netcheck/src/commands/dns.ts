import type { CommandSpec } from "@kubemend/lib/cli/app";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { KubeCommand } from "@kubemend/lib/cli/kube-command";
import type { FailOn } from "@kubemend/lib/findings/finding";
import { checkCorefile, checkDns } from "../checks/dns.js";
import { verdictOf } from "../checks/layers.js";
import { collectDns } from "../collect/dns.js";
import { Gaps } from "../collect/gaps.js";
import { failOnFrom, report, withFailOn } from "./flags.js";

class Dns extends KubeCommand<{ failOn: FailOn }> {
  protected readOptions(args: Record<string, unknown>) {
    return { failOn: failOnFrom(args) };
  }

  async run(): Promise<ExitCode> {
    const dns = await collectDns(this.client, new Gaps());
    const findings = [...checkDns(dns), ...checkCorefile(dns)];
    const ok = `${dns.pods.length} CoreDNS pods Ready behind ${dns.service?.spec.clusterIP ?? "?"}`;
    return report(this.ctx, "Cluster DNS", verdictOf(findings, ok), findings, this.options.failOn);
  }
}

export const dnsCommand: CommandSpec = {
  command: "dns",
  describe: "CoreDNS pods and endpoints, the kube-dns Service, and obvious Corefile problems",
  builder: withFailOn,
  create: (args, ctx) => new Dns(args, ctx),
};
