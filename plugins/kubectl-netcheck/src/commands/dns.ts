import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import type { FailOn } from "@kubemend/lib/findings/finding";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { connect } from "@kubemend/lib/kube/connect";
import { checkCorefile, checkDns } from "../checks/dns.js";
import { verdictOf } from "../checks/layers.js";
import { collectDns } from "../collect/dns.js";
import { Gaps } from "../collect/gaps.js";
import { failOnFrom, report, withFailOn } from "./flags.js";

class Dns implements Command {
  private client!: KubeClient;
  private failOn: FailOn = "critical";

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  async complete(): Promise<void> {
    this.client = await connect(this.ctx);
  }

  validate(): void {
    this.failOn = failOnFrom(this.args);
  }

  async run(): Promise<ExitCode> {
    const dns = await collectDns(this.client, new Gaps());
    const findings = [...checkDns(dns), ...checkCorefile(dns)];
    const ok = `${dns.pods.length} CoreDNS pods Ready behind ${dns.service?.spec.clusterIP ?? "?"}`;
    return report(this.ctx, "Cluster DNS", verdictOf(findings, ok), findings, this.failOn);
  }
}

export const dnsCommand: CommandSpec = {
  command: "dns",
  describe: "CoreDNS pods and endpoints, the kube-dns Service, and obvious Corefile problems",
  builder: withFailOn,
  create: (args, ctx) => new Dns(args, ctx),
};
