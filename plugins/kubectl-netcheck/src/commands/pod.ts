import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import type { FailOn } from "@kubemend/lib/findings/finding";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { connect } from "@kubemend/lib/kube/connect";
import { resourceNames } from "@kubemend/lib/kube/names";
import { verdictOf } from "../checks/layers.js";
import { checkPod } from "../checks/pod.js";
import { collectPod } from "../collect/pod.js";
import { CORE } from "../model.js";
import { failOnFrom, report, withFailOn } from "./flags.js";

class PodCheck implements Command {
  private client!: KubeClient;
  private namespace = "default";
  private failOn: FailOn = "critical";

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  async complete(): Promise<void> {
    this.client = await connect(this.ctx);
    this.namespace = this.client.config.namespace;
  }

  validate(): void {
    if (typeof this.args.name !== "string" || this.args.name === "")
      throw new UsageError("name the pod to check", "kubectl netcheck pod NAME [-n NAMESPACE]");
    this.failOn = failOnFrom(this.args);
  }

  async run(): Promise<ExitCode> {
    const name = this.args.name as string;
    const collected = await collectPod(this.client, this.namespace, name);
    const findings = checkPod(collected);
    const pod = collected.pod;
    const ok = `Ready at ${pod.status?.podIP ?? "no IP"} on ${pod.spec.nodeName ?? "no node"}; dnsPolicy ${pod.spec.dnsPolicy ?? "ClusterFirst"}`;
    return report(this.ctx, `Pod ${this.namespace}/${name}`, verdictOf(findings, ok), findings, this.failOn);
  }
}

export const podCommand: CommandSpec = {
  command: "pod <name>",
  completeArgs: async (ctx) => ({ names: await resourceNames(ctx, CORE("pods"), true) }),
  describe:
    "A pod's network: sandbox/CNI events, its node and CNI pod, its IP, the policies that select it, DNS",
  builder: (y) => withFailOn(y.positional("name", { type: "string", describe: "Pod name" })),
  create: (args, ctx) => new PodCheck(args, ctx),
};
