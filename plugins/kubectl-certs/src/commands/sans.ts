import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { IncompleteError, UsageError } from "@kubemend/lib/cli/errors";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { exitCodeForFindings, type Finding, sortFindings } from "@kubemend/lib/findings/finding";
import { FINDING_LIST_KIND, renderFindings } from "@kubemend/lib/findings/render";
import { probeTls } from "@kubemend/lib/net/tls-probe";
import { renderStructured } from "@kubemend/lib/output/format";
import { renderTable } from "@kubemend/lib/output/table";
import type { Argv } from "yargs";
import { checkKubelets } from "../checks/kubelet.js";
import { checkApiServerSans, expectedAddresses, hostOf, portOf, type ServedApiCert } from "../checks/sans.js";
import { apiServerNaming } from "../collect/api-server-names.js";
import { canonicalIp } from "../collect/local.js";
import { nodesSource } from "../collect/nodes.js";
import { type ApiServerAddress, apiServerAddresses } from "../collect/served.js";
import {
  type CheckOptions,
  checkOptions,
  clusterSourceContext,
  withCheckFlags,
  writeWarnings,
} from "./shared.js";

export const sameAddress = (a: string, b: string) =>
  (canonicalIp(a) ?? a.toLowerCase()) === (canonicalIp(b) ?? b.toLowerCase());

/** certs sans's flags, read once in complete(). */
interface SansOptions {
  /** --address, each as given (host, host:port or URL). */
  addresses: string[];
  nodes: boolean;
  limits: CheckOptions;
}

class SansCommand implements Command {
  private options!: SansOptions;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  complete(): void {
    this.options = {
      addresses: ((this.args.address as unknown[]) ?? [])
        .flatMap((a) => String(a).split(","))
        .filter((a) => a !== ""),
      nodes: this.args.nodes === true,
      limits: checkOptions(this.args),
    };
  }

  validate(): void {
    for (const address of this.options.addresses)
      try {
        if (hostOf(address) === "") throw new Error("empty");
      } catch {
        throw new UsageError(`invalid --address "${address}"`, "use a host or IP, optionally with :port");
      }
  }

  async run(): Promise<ExitCode> {
    const { ctx } = this;
    const sources = clusterSourceContext(ctx, this.options.limits.tlsTimeoutMs, 16);
    const config = sources.config();
    const client = await sources.client();
    const naming = await apiServerNaming(client);
    const { addresses, error } = await apiServerAddresses(client, config.server);
    const warnings = [...naming.warnings];
    if (error)
      warnings.push({
        source: "served",
        message: (error as Error).message,
        hint: (error as { hint?: string }).hint,
      });

    const expected = expectedAddresses({
      server: config.server,
      naming,
      served: addresses,
      flagged: this.options.addresses,
      same: sameAddress,
    });
    const port = Number(new URL(config.server).port || 443);
    const probes: ApiServerAddress[] = [
      ...addresses,
      ...this.options.addresses.map((address) => ({
        host: hostOf(address),
        port: portOf(address) ?? port,
        from: "--address",
      })),
    ];
    const served: ServedApiCert[] = [];
    for (const result of await Promise.all(
      probes.map((p) =>
        probeTls({ host: p.host, port: p.port, timeoutMs: this.options.limits.tlsTimeoutMs }),
      ),
    )) {
      const leaf = result.ok ? result.chain[0] : undefined;
      if (!leaf) {
        warnings.push({
          source: "served",
          message: `TLS handshake with ${result.endpoint} failed${result.ok ? "" : `: ${result.error}`}`,
        });
        continue;
      }
      const same = served.find((s) => s.cert.sha256Fingerprint === leaf.sha256Fingerprint);
      if (same) {
        if (!same.endpoints.includes(result.endpoint)) same.endpoints.push(result.endpoint);
      } else served.push({ endpoints: [result.endpoint], cert: leaf });
    }
    if (served.length === 0) {
      writeWarnings(ctx, warnings);
      throw new IncompleteError(
        "no TLS handshake with the API server succeeded",
        "check the address and the network path",
      );
    }
    const { rows, findings } = checkApiServerSans(expected, served);
    const nodeFindings: Finding[] = [];
    if (this.options.nodes) {
      const data = await nodesSource({ ...sources, explicit: true });
      warnings.push(...(data.warnings ?? []));
      nodeFindings.push(
        ...checkKubelets(data.nodes ?? [], []).filter(
          (f) => f.code === "KUBELET_NO_IP_SAN" || f.code === "KUBELET_NAME_SAN_MISSING",
        ),
      );
    }
    writeWarnings(ctx, warnings);
    const all = [...findings, ...nodeFindings];
    if (ctx.output === "json" || ctx.output === "yaml")
      ctx.io.out.write(
        renderStructured(
          {
            apiVersion: FINDING_LIST_KIND.apiVersion,
            kind: "SanReport",
            served: served.map((s) => ({
              endpoints: s.endpoints,
              subject: s.cert.subject.dn,
              serial: s.cert.serial,
              sans: [...s.cert.sans.dns, ...s.cert.sans.ip],
            })),
            expected: rows,
            findings: sortFindings(all),
          },
          ctx.output,
        ),
      );
    else {
      const wide = ctx.output === "wide";
      ctx.io.out.write(
        renderTable(
          rows,
          [
            { header: "ADDRESS", value: (r) => r.address },
            { header: "EXPECTED BY", value: (r) => r.from.join(", ") },
            {
              header: "COVERED",
              value: (r) => (r.missingAt.length === 0 ? "yes" : r.coveredAt.length === 0 ? "NO" : "partly"),
            },
            { header: "MISSING AT", value: (r) => r.missingAt.join(", "), wide: true },
          ],
          wide,
        ),
      );
      if (all.length > 0)
        ctx.io.out.write(`\n${renderFindings(all, { format: wide ? "wide" : "table", color: ctx.color })}`);
    }
    return exitCodeForFindings(all, this.options.limits.failOn);
  }
}

export const sansCommand: CommandSpec = {
  command: "sans",
  describe:
    "Check that the API server certificate covers every address clients use (and, with --nodes, each kubelet's)",
  builder: (y: Argv) =>
    withCheckFlags(y)
      .option("address", {
        type: "string",
        array: true,
        default: [] as string[],
        describe:
          "An address clients use (load balancer, VIP, DNS name), repeatable; with :port it is probed too",
      })
      .option("nodes", {
        type: "boolean",
        default: false,
        describe: "Also diff each node's addresses against its kubelet serving certificate",
      }),
  examples: [
    [
      "kubectl certs sans --address 10.2.1.139:6443",
      "does the certificate cover the HAProxy in front of the API server?",
    ],
    ["kubectl certs sans --nodes", "and do the kubelets' certificates cover their nodes' addresses?"],
  ],
  create: (args, ctx) => new SansCommand(args, ctx),
};
