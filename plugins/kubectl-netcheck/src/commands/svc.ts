import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import type { FailOn } from "@kubemend/lib/findings/finding";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { connect } from "@kubemend/lib/kube/connect";
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

class Svc implements Command {
  private client!: KubeClient;
  private namespace = "default";
  private failOn: FailOn = "critical";
  private probePod?: { image: string; deadlineSeconds: number };

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  async complete(): Promise<void> {
    this.client = await connect(this.ctx);
    this.namespace = this.client.config.namespace;
  }

  validate(): void {
    const name = this.args.name;
    if (typeof name !== "string" || name === "")
      throw new UsageError("name the Service to check", "kubectl netcheck svc NAME [-n NAMESPACE]");
    if (this.ctx.kube.allNamespaces) throw new UsageError("svc checks one Service: use -n NAMESPACE, not -A");
    this.failOn = failOnFrom(this.args);
    if (this.args["probe-pod"] === true) {
      const image = String(this.args["probe-image"] ?? "").trim();
      if (image === "")
        throw new UsageError("--probe-image must name an image", `for example ${DEFAULT_PROBE_IMAGE}`);
      const text = String(this.args["probe-deadline"]);
      const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDuration(text);
      if (ms === undefined || ms < 1000 || ms > 3_600_000)
        throw new UsageError(
          `invalid --probe-deadline "${text}"`,
          "use a duration from 1s to 1h, such as 30s or 2m",
        );
      this.probePod = { image, deadlineSeconds: Math.ceil(ms / 1000) };
    }
  }

  async run(): Promise<ExitCode> {
    const name = this.args.name as string;
    const port = this.args.port === undefined ? undefined : String(this.args.port);
    const collected = await collectService(this.client, this.namespace, name);
    if (port !== undefined && collected.service && collected.service.spec.type !== "ExternalName") {
      const ports = collected.service.spec.ports ?? [];
      if (!ports.some((p) => String(p.port) === port || p.name === port))
        throw new UsageError(
          `Service ${this.namespace}/${name} has no port "${port}"`,
          `its ports: ${ports.map((p) => (p.name ? `${p.name} (${p.port})` : String(p.port))).join(", ") || "none"}`,
        );
    }
    const findings = checkService(collected, { port });
    const subject = { kind: "Service", namespace: this.namespace, name };
    if (collected.service && collected.service.spec.type !== "ExternalName") {
      if (this.args.probe === true)
        findings.push(
          ...checkProbes(await probeService(this.client, collected.service, collected.pods, port), subject),
        );
      if (this.probePod) {
        const run = await probeWithPod(this.client, collected.service, collected.pods, {
          ...this.probePod,
          port,
          clusterDomain: clusterDomain(collected.dns.corefile),
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
    return report(
      this.ctx,
      `Service ${this.namespace}/${name}`,
      verdictOf(findings, ok),
      findings,
      this.failOn,
    );
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
