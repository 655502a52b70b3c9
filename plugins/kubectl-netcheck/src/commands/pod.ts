import type { CommandSpec } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { KubeCommand } from "@kubemend/lib/cli/kube-command";
import type { FailOn } from "@kubemend/lib/findings/finding";
import { resourceNames } from "@kubemend/lib/kube/names";
import { verdictOf } from "../checks/layers.js";
import { checkPod } from "../checks/pod.js";
import { collectPod } from "../collect/pod.js";
import { CORE } from "../model.js";
import { failOnFrom, report, withFailOn } from "./flags.js";

class PodCheck extends KubeCommand<{ name: string; failOn: FailOn }> {
  protected readOptions(args: Record<string, unknown>) {
    return { name: typeof args.name === "string" ? args.name : "", failOn: failOnFrom(args) };
  }

  override validate(): void {
    if (this.options.name === "")
      throw new UsageError("name the pod to check", "kubectl netcheck pod NAME [-n NAMESPACE]");
  }

  async run(): Promise<ExitCode> {
    const { name, failOn } = this.options;
    const namespace = this.client.config.namespace;
    const collected = await collectPod(this.client, namespace, name);
    const findings = checkPod(collected);
    const pod = collected.pod;
    const ok = `Ready at ${pod.status?.podIP ?? "no IP"} on ${pod.spec.nodeName ?? "no node"}; dnsPolicy ${pod.spec.dnsPolicy ?? "ClusterFirst"}`;
    return report(this.ctx, `Pod ${namespace}/${name}`, verdictOf(findings, ok), findings, failOn);
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
