import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { connect } from "@kubemend/lib/kube/connect";
import { palette } from "@kubemend/lib/output/color";
import { renderStructured } from "@kubemend/lib/output/format";
import { collectPolicyWorld, parseEnd, workloadOf } from "../collect/policy.js";
import type { Protocol } from "../model.js";
import { describeRule, simulate } from "../policy/simulate.js";

const PROTOCOLS = ["TCP", "UDP", "SCTP"];

class PolicyCheck implements Command {
  private client!: KubeClient;
  private namespace = "default";
  private from!: ReturnType<typeof parseEnd>;
  private to!: ReturnType<typeof parseEnd>;
  private port = 0;
  private protocol: Protocol = "TCP";

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  async complete(): Promise<void> {
    this.client = await connect(this.ctx);
    this.namespace = this.client.config.namespace;
  }

  validate(): void {
    const from = this.args.from;
    const to = this.args.to;
    if (typeof from !== "string" || typeof to !== "string")
      throw new UsageError(
        "both --from and --to are required",
        "kubectl netcheck policy --from POD --to POD:PORT",
      );
    const match = /^(.+):(\d+)$/.exec(to);
    if (!match)
      throw new UsageError(`--to "${to}" has no port`, "write it as POD:PORT, NAMESPACE/POD:PORT or IP:PORT");
    this.port = Number(match[2]);
    if (this.port < 1 || this.port > 65535) throw new UsageError(`port ${this.port} is out of range 1-65535`);
    const protocol = String(this.args.protocol ?? "TCP").toUpperCase();
    if (!PROTOCOLS.includes(protocol))
      throw new UsageError(`unknown protocol "${protocol}"`, "use TCP, UDP or SCTP");
    this.protocol = protocol as Protocol;
    this.from = parseEnd(from, this.namespace);
    this.to = parseEnd(match[1] as string, this.namespace);
    if ("ip" in this.from && "ip" in this.to)
      throw new UsageError("at least one end must be a pod", "NetworkPolicy applies to pods");
  }

  async run(): Promise<ExitCode> {
    const [from, to] = await Promise.all([
      workloadOf(this.client, this.from),
      workloadOf(this.client, this.to),
    ]);
    const namespaces = [from.namespace, to.namespace].filter((n): n is string => n !== undefined);
    const world = await collectPolicyWorld(this.client, namespaces);
    const verdict = simulate({ from, to, port: this.port, protocol: this.protocol }, world);
    const name = (w: typeof from) => (w.namespace ? `${w.namespace}/${w.name}` : (w.ip as string));
    if (this.ctx.output === "json" || this.ctx.output === "yaml") {
      this.ctx.io.out.write(
        renderStructured(
          {
            apiVersion: "kubemend.io/v1",
            kind: "PolicyVerdict",
            from: name(from),
            to: name(to),
            port: this.port,
            protocol: this.protocol,
            ...verdict,
          },
          this.ctx.output,
        ),
      );
    } else {
      const colors = palette(this.ctx.color);
      const head = verdict.allowed ? colors.green("ALLOWED") : colors.red("DENIED");
      const lines = [
        `${name(from)} -> ${name(to)} ${this.protocol}/${this.port}: ${head}: ${verdict.reason}`,
      ];
      for (const side of [verdict.egress, verdict.ingress]) {
        if (!side.pod) continue;
        const state =
          side.isolatedBy.length === 0
            ? "not isolated"
            : `isolated by ${side.isolatedBy.join(", ")}; ${side.allowedBy.length > 0 ? `allowed by ${side.allowedBy.map(describeRule).join(", ")}` : "no rule allows"}`;
        lines.push(`  ${side.direction.toLowerCase()} of ${side.pod}: ${state}`);
      }
      this.ctx.io.out.write(`${lines.join("\n")}\n`);
    }
    return verdict.allowed ? ExitCode.OK : ExitCode.FINDINGS;
  }
}

export const policyCommand: CommandSpec = {
  command: "policy",
  describe: "Whether NetworkPolicies allow a connection between two pods, and which policy decides",
  builder: (y) =>
    y
      .option("from", { type: "string", describe: "Source: POD, NAMESPACE/POD or an IP address" })
      .option("to", { type: "string", describe: "Destination: POD:PORT, NAMESPACE/POD:PORT or IP:PORT" })
      .option("protocol", { type: "string", default: "TCP", describe: "TCP, UDP or SCTP" }),
  examples: [
    [
      "kubectl netcheck policy -n shop --from web-0 --to db/postgres-0:5432",
      "Why web-0 cannot reach the database",
    ],
  ],
  create: (args, ctx) => new PolicyCheck(args, ctx),
};
