import type { CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { KubeCommand } from "@kubemend/lib/cli/kube-command";
import type { FailOn } from "@kubemend/lib/findings/finding";
import { resourceNames } from "@kubemend/lib/kube/names";
import { parseDuration } from "@kubemend/lib/output/duration";
import { verdictOf } from "../checks/layers.js";
import { checkProbes } from "../checks/probe.js";
import { checkService } from "../checks/svc.js";
import { collectService } from "../collect/service.js";
import { CORE } from "../model.js";
import { probeWithPod } from "../probe/pod.js";
import { clusterDomain, DEFAULT_PROBE_IMAGE } from "../probe/pod-script.js";
import { probeService } from "../probe/probe.js";
import { failOnFrom, report, withFailOn } from "./flags.js";

/** netcheck svc's flags, read once in complete(). */
export interface SvcOptions {
  name: string;
  /** --port, a number or a name. */
  port?: string;
  probe: boolean;
  /** --probe-pod, with its image and deadline. */
  probePod?: { image: string; deadlineSeconds: number };
  failOn: FailOn;
  allNamespaces: boolean;
}

export function svcOptions(args: Record<string, unknown>, ctx: Pick<CommandContext, "kube">): SvcOptions {
  let probePod: SvcOptions["probePod"];
  if (args["probe-pod"] === true) {
    const image = String(args["probe-image"] ?? "").trim();
    if (image === "")
      throw new UsageError("--probe-image must name an image", `for example ${DEFAULT_PROBE_IMAGE}`);
    const text = String(args["probe-deadline"]);
    const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDuration(text);
    if (ms === undefined || ms < 1000 || ms > 3_600_000)
      throw new UsageError(
        `invalid --probe-deadline "${text}"`,
        "use a duration from 1s to 1h, such as 30s or 2m",
      );
    probePod = { image, deadlineSeconds: Math.ceil(ms / 1000) };
  }
  return {
    name: typeof args.name === "string" ? args.name : "",
    ...(args.port !== undefined && { port: String(args.port) }),
    probe: args.probe === true,
    ...(probePod && { probePod }),
    failOn: failOnFrom(args),
    allNamespaces: ctx.kube.allNamespaces,
  };
}

export function validateSvc(o: SvcOptions): void {
  if (o.name === "")
    throw new UsageError("name the Service to check", "kubectl netcheck svc NAME [-n NAMESPACE]");
  if (o.allNamespaces) throw new UsageError("svc checks one Service: use -n NAMESPACE, not -A");
}

class Svc extends KubeCommand<SvcOptions> {
  protected readOptions(args: Record<string, unknown>, ctx: CommandContext) {
    return svcOptions(args, ctx);
  }

  override validate(): void {
    validateSvc(this.options);
  }

  async run(): Promise<ExitCode> {
    const { name, port, failOn } = this.options;
    const namespace = this.client.config.namespace;
    const collected = await collectService(this.client, namespace, name);
    if (port !== undefined && collected.service && collected.service.spec.type !== "ExternalName") {
      const ports = collected.service.spec.ports ?? [];
      if (!ports.some((p) => String(p.port) === port || p.name === port))
        throw new UsageError(
          `Service ${namespace}/${name} has no port "${port}"`,
          `its ports: ${ports.map((p) => (p.name ? `${p.name} (${p.port})` : String(p.port))).join(", ") || "none"}`,
        );
    }
    const findings = checkService(collected, { port });
    const subject = { kind: "Service", namespace: namespace, name };
    if (collected.service && collected.service.spec.type !== "ExternalName") {
      if (this.options.probe)
        findings.push(
          ...checkProbes(await probeService(this.client, collected.service, collected.pods, port), subject),
        );
      if (this.options.probePod) {
        const run = await probeWithPod(this.client, collected.service, collected.pods, {
          ...this.options.probePod,
          port,
          clusterDomain: clusterDomain(collected.dns.corefile),
          interrupt: this.ctx.interrupt,
        });
        findings.push(...checkProbes(run, subject));
      }
    }
    const ready = collected.slices
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => e.conditions?.ready !== false);
    const ok =
      collected.service?.spec.type === "ExternalName"
        ? `ExternalName Service for ${collected.service.spec.externalName}`
        : `${ready.length} ready endpoint${ready.length === 1 ? "" : "s"}; every layer checked is healthy`;
    return report(this.ctx, `Service ${namespace}/${name}`, verdictOf(findings, ok), findings, failOn);
  }
}

export const svcCommand: CommandSpec = {
  command: "svc <name>",
  completeArgs: async (ctx) => ({ names: await resourceNames(ctx, CORE("services"), true) }),
  describe: "Why a Service does not work: walks the Debug Services layers and names the first broken one",
  builder: (y) =>
    withFailOn(
      y
        .positional("name", { type: "string", describe: "Service name" })
        .option("port", { type: "string", describe: "Check only this Service port (number or name)" })
        .option("probe", {
          type: "boolean",
          default: false,
          describe:
            "Also probe the Service and its pods through the API server's services/proxy and pods/proxy",
        })
        .option("probe-pod", {
          type: "boolean",
          default: false,
          describe:
            "Also probe from a short-lived pod in the Service's namespace: DNS, the ClusterIP, pod to pod (creates and deletes one pod)",
        })
        .option("probe-image", {
          type: "string",
          default: DEFAULT_PROBE_IMAGE,
          describe: "Image of the probe pod; it needs busybox's sh, nc, nslookup, timeout and head",
        })
        .option("probe-deadline", {
          type: "string",
          default: "60s",
          describe: "The probe pod's activeDeadlineSeconds, as a duration; netcheck waits 10s longer",
        }),
    ),
  examples: [
    ["kubectl netcheck svc myapp -n shop", "Explain why Service myapp has no working endpoints"],
    ["kubectl netcheck svc myapp --port http -o json", "One port, as JSON"],
    [
      "kubectl netcheck svc myapp --probe-pod --probe-image mirror.local/busybox:1.37",
      "Probe from inside the cluster",
    ],
  ],
  create: (args, ctx) => new Svc(args, ctx),
};
