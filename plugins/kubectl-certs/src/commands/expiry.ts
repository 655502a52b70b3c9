import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { IncompleteError, UsageError } from "@kubemend/lib/cli/errors";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { exitCodeForFindings, type Finding, sortFindings } from "@kubemend/lib/findings/finding";
import { FINDING_LIST_KIND, renderFindings } from "@kubemend/lib/findings/render";
import { directoryAt } from "@kubemend/lib/fs/directory";
import { palette } from "@kubemend/lib/output/color";
import { renderStructured } from "@kubemend/lib/output/format";
import { startProgress } from "@kubemend/lib/output/progress";
import { renderTable } from "@kubemend/lib/output/table";
import type { Argv } from "yargs";
import { runChecks } from "../checks/index.js";
import { collect } from "../collect/collect.js";
import type { SourceOptions } from "../collect/context.js";
import { type Collected, SOURCES, type SourceName } from "../model.js";
import { writeJson } from "../report/json-stream.js";
import { listingColumns, listingRows } from "../report/listing.js";
import { renderPrometheus } from "../report/prometheus.js";
import {
  sourceContext,
  type ThresholdOptions,
  thresholdOptions,
  thresholds,
  withThresholdFlags,
  writeWarnings,
} from "./shared.js";

const GROUP = "Source flags:";

function builder(y: Argv) {
  return withThresholdFlags(y)
    .option("source", {
      type: "string",
      array: true,
      default: [] as string[],
      group: GROUP,
      describe: `Where to look, repeatable or comma-separated: ${SOURCES.join(", ")} (default: all)`,
    })
    .option("all-contexts", {
      type: "boolean",
      default: false,
      group: GROUP,
      describe: "kubeconfig source: every context, not only the current one",
    })
    .option("pki-dir", {
      type: "string",
      default: "/etc/kubernetes/pki",
      group: GROUP,
      describe: "pki source: kubeadm's certificate directory",
    })
    .option("kubeconfig-dir", {
      type: "string",
      default: "/etc/kubernetes",
      group: GROUP,
      describe: "pki source: the directory of admin.conf, controller-manager.conf, scheduler.conf",
    })
    .option("kubelet-pki-dir", {
      type: "string",
      default: "/var/lib/kubelet/pki",
      group: GROUP,
      describe: "pki source: the kubelet's own certificates",
    })
    .option("scan-opaque", {
      type: "boolean",
      default: false,
      group: GROUP,
      describe: "secrets source: also look for certificates in Opaque secrets and ConfigMaps",
    })
    .option("chunk-size", {
      type: "number",
      group: GROUP,
      describe:
        "Objects per list call; the listing pages through them with limit/continue, as kubectl does (default 500; 100 for secrets, which are large)",
    })
    .option("node-concurrency", {
      type: "number",
      default: 16,
      group: GROUP,
      describe: "nodes source: kubelet handshakes in flight at once",
    });
}

export function parseSources(values: readonly unknown[]): SourceName[] {
  const names = values
    .flatMap((v) => String(v).split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const name of names)
    if (!(SOURCES as readonly string[]).includes(name))
      throw new UsageError(`unknown source "${name}"`, `use --source with: ${SOURCES.join(", ")}`);
  return names.length === 0 ? [...SOURCES] : [...new Set(names as SourceName[])];
}

/** What `certs expiry -o json|yaml` prints: the stable contract. */
export function expiryReport(
  collected: Collected,
  findings: Finding[],
  rows: ReturnType<typeof listingRows>,
) {
  return {
    apiVersion: FINDING_LIST_KIND.apiVersion,
    kind: "CertificateReport",
    sources: collected.read,
    certificates: rows,
    findings: sortFindings(findings),
    warnings: collected.warnings,
  };
}

/** certs expiry's flags, read once in complete(); validate() checks them, run() uses them. */
export interface ExpiryOptions {
  sources: SourceName[];
  /** --source was given: a source that cannot run there is an error, not skipped. */
  explicit: boolean;
  limits: ThresholdOptions;
  source: SourceOptions;
}

export function expiryOptions(
  args: Record<string, unknown>,
  ctx: Pick<CommandContext, "kube">,
): ExpiryOptions {
  const requested = (args.source as unknown[] | undefined) ?? [];
  const limits = thresholdOptions(args);
  return {
    sources: parseSources(requested),
    explicit: requested.length > 0,
    limits,
    source: {
      ...(args["chunk-size"] !== undefined && { chunkSize: Number(args["chunk-size"]) }),
      allContexts: args["all-contexts"] === true,
      pkiDir: String(args["pki-dir"] ?? "/etc/kubernetes/pki"),
      kubeconfigDir: String(args["kubeconfig-dir"] ?? "/etc/kubernetes"),
      kubeletPkiDir: String(args["kubelet-pki-dir"] ?? "/var/lib/kubelet/pki"),
      scanOpaque: args["scan-opaque"] === true,
      namespace: ctx.kube.allNamespaces ? undefined : ctx.kube.namespace,
      probeTimeoutMs: limits.tlsTimeoutMs,
      concurrency: Number(args["node-concurrency"] ?? 16),
    },
  };
}

export function validateExpiry(o: ExpiryOptions): void {
  const { concurrency, chunkSize } = o.source;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError(`invalid --node-concurrency "${concurrency}"`, "use a whole number of 1 or more");
  if (chunkSize !== undefined && (!Number.isInteger(chunkSize) || chunkSize < 1))
    throw new UsageError(`invalid --chunk-size "${chunkSize}"`, "use a whole number of 1 or more");
  // Missing is for the sources to say (a node that is not a control-plane node); a file is bad input.
  directoryAt(o.source.pkiDir, "--pki-dir");
  directoryAt(o.source.kubeconfigDir, "--kubeconfig-dir");
  directoryAt(o.source.kubeletPkiDir, "--kubelet-pki-dir");
}

class ExpiryCommand implements Command {
  private options!: ExpiryOptions;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  complete(): void {
    this.options = expiryOptions(this.args, this.ctx);
  }

  validate(): void {
    validateExpiry(this.options);
  }

  async run(): Promise<ExitCode> {
    const { ctx } = this;
    const { sources, explicit, limits, source } = this.options;
    // Every certificate found stays alive until the report is written. Growing the old generation
    // by a fifth at a time, instead of V8's default of up to double, keeps the peak RSS over
    // 10,000 TLS secrets at 182 MB instead of 218 MB, for a few per cent more time in the
    // garbage collector. Set here, not at start-up, which --help would pay for (~3 ms).
    process.getBuiltinModule("node:v8").setFlagsFromString("--heap-growing-percent=20");
    const progress = await startProgress(ctx.io.err, `reading ${sources.join(", ")}`);
    let collected: Collected;
    try {
      collected = await collect(sources, sourceContext(ctx, source), explicit, (done, left) =>
        progress.update(`read ${done}; ${left} source${left === 1 ? "" : "s"} left`),
      );
    } finally {
      progress.stop();
    }
    if (collected.read.length === 0) {
      const first = collected.warnings[0];
      if (collected.warnings.some((w) => w.message !== first?.message))
        writeWarnings(ctx, collected.warnings);
      throw new IncompleteError(
        `no source could be read${first ? `: ${first.message}` : ""}`,
        first?.hint ?? "check the kubeconfig, or run on a control-plane node with --source pki",
      );
    }
    writeWarnings(ctx, collected.warnings);
    const t = thresholds(limits, ctx);
    const findings = runChecks(collected, t);
    const rows = listingRows(collected.certs, collected.bootstrapTokens, findings, t);
    const format = ctx.output;
    if (format === "json") writeJson(ctx.io.out, expiryReport(collected, findings, rows));
    else if (format === "yaml")
      ctx.io.out.write(renderStructured(expiryReport(collected, findings, rows), format));
    else if (format === "prometheus") ctx.io.out.write(renderPrometheus(collected.certs, t.now));
    else {
      const wide = format === "wide";
      ctx.io.out.write(
        rows.length > 0
          ? renderTable(rows, listingColumns(palette(ctx.color)), wide)
          : "No certificates found.\n",
      );
      if (findings.length > 0)
        ctx.io.out.write(
          `\n${renderFindings(findings, { format: wide ? "wide" : "table", color: ctx.color })}`,
        );
    }
    // What was read is printed; but a cron job must not take a run the API server never answered
    // for a healthy cluster. A source that RBAC forbids stays a warning.
    const unanswered = collected.warnings.filter((w) => w.unanswered);
    if (unanswered.length > 0)
      throw new IncompleteError(
        `incomplete: the API server did not answer for ${unanswered.map((w) => w.source).join(", ")}: ${unanswered[0]?.message}`,
        "the certificates above are only those read without it; check the API server, or raise --request-timeout",
      );
    return exitCodeForFindings(findings, limits.failOn);
  }
}

export const expiryCommand: CommandSpec = {
  command: "expiry",
  describe:
    "List every certificate the cluster depends on, soonest expiry first, with what to do about each problem",
  builder,
  outputs: ["table", "wide", "json", "yaml", "prometheus"],
  examples: [
    ["kubectl certs expiry", "everything the caller can read"],
    [
      "kubectl certs expiry --source pki,served",
      "on a control-plane node: files, and what the API server serves",
    ],
    ["kubectl certs expiry --source secrets --scan-opaque -o json", "TLS material in secrets and ConfigMaps"],
    [
      "kubectl certs expiry -o prometheus > /var/lib/node_exporter/certs.prom",
      "for node-exporter's textfile collector",
    ],
  ],
  create: (args, ctx) => new ExpiryCommand(args, ctx),
};
