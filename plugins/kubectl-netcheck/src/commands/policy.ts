import type { CommandSpec } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { KubeCommand } from "@kubemend/lib/cli/kube-command";
import { palette } from "@kubemend/lib/output/color";
import { renderStructured } from "@kubemend/lib/output/format";
import { collectPolicyWorld, parseEnd, workloadOf } from "../collect/policy.js";
import type { Protocol } from "../model.js";
import { describeRule, simulate } from "../policy/simulate.js";

const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

/** The flags of `netcheck policy`, as complete() reads them. */
export interface PolicyOptions {
  from?: string;
  to?: string;
  protocol?: string;
}

export interface Destination {
  end: string;
  port: number;
  protocol: Protocol;
}

/**
 * --to as Services and NetworkPolicies write a port: POD:PORT, NAMESPACE/POD:PORT or IP:PORT, with
 * an optional /PROTOCOL (db/dns-0:53/UDP). --protocol says the same; the two must agree.
 */
export function parseDestination(to: string, protocolFlag: string | undefined): Destination {
  const match = /^(.+):(\d+)(?:\/([A-Za-z]+))?$/.exec(to);
  if (!match)
    throw new UsageError(
      `--to "${to}" has no port`,
      "write it as POD:PORT, NAMESPACE/POD:PORT or IP:PORT, optionally with /TCP, /UDP or /SCTP",
    );
  const port = Number(match[2]);
  if (port < 1 || port > 65535) throw new UsageError(`port ${port} is out of range 1-65535`);
  const written = match[3]?.toUpperCase();
  const flag = protocolFlag?.toUpperCase();
  if (written && flag && written !== flag)
    throw new UsageError(`--to says ${written} but --protocol says ${flag}`, "give the protocol once");
  const protocol = written ?? flag ?? "TCP";
  if (!(PROTOCOLS as readonly string[]).includes(protocol))
    throw new UsageError(`unknown protocol "${protocol}"`, "use TCP, UDP or SCTP");
  return { end: match[1] as string, port, protocol: protocol as Protocol };
}

class PolicyCheck extends KubeCommand<PolicyOptions> {
  private from!: ReturnType<typeof parseEnd>;
  private to!: ReturnType<typeof parseEnd>;
  private port = 0;
  private protocol: Protocol = "TCP";

  protected readOptions(args: Record<string, unknown>): PolicyOptions {
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    return { from: text(args.from), to: text(args.to), protocol: text(args.protocol) };
  }

  /** The ends and the port, from the options and the namespace of the kubeconfig (or -n). */
  override validate(): void {
    const { from, to, protocol } = this.options;
    const namespace = this.client.config.namespace;
    if (from === undefined || to === undefined)
      throw new UsageError(
        "both --from and --to are required",
        "kubectl netcheck policy --from POD --to POD:PORT[/PROTOCOL]",
      );
    const destination = parseDestination(to, protocol);
    this.port = destination.port;
    this.protocol = destination.protocol;
    this.from = parseEnd(from, namespace);
    this.to = parseEnd(destination.end, namespace);
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
      .option("to", {
        type: "string",
        describe: "Destination: POD:PORT, NAMESPACE/POD:PORT or IP:PORT, optionally /TCP, /UDP or /SCTP",
      })
      .option("protocol", { type: "string", describe: "TCP (default), UDP or SCTP; or write it in --to" }),
  examples: [
    [
      "kubectl netcheck policy -n shop --from web-0 --to db/postgres-0:5432",
      "Why web-0 cannot reach the database",
    ],
    ["kubectl netcheck policy -n shop --from web-0 --to kube-system/coredns-0:53/UDP", "DNS from web-0"],
  ],
  create: (args, ctx) => new PolicyCheck(args, ctx),
};
