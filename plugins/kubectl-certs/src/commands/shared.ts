import type { CommandContext } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import { FAIL_ON_OPTION, failOnFrom } from "@kubemend/lib/findings/fail-on";
import type { FailOn } from "@kubemend/lib/findings/finding";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { connect } from "@kubemend/lib/kube/connect";
import { loadKubeConfig, type ResolvedKubeConfig } from "@kubemend/lib/kube/kubeconfig";
import { parseDuration } from "@kubemend/lib/output/duration";
import type { Argv } from "yargs";
import type { Thresholds } from "../checks/thresholds.js";
import type { SourceContext, SourceOptions } from "../collect/context.js";

const GROUP = "Certificate flags:";

/** --fail-on and --tls-timeout: every certs command. */
export function withCheckFlags<T>(y: Argv<T>) {
  return y.option("fail-on", { ...FAIL_ON_OPTION, group: GROUP }).option("tls-timeout", {
    type: "string",
    default: "3s",
    group: GROUP,
    describe: "How long each TLS handshake (API server, kubelets, etcd) may take",
  });
}

/** --warn-within and --critical-within as well: the commands that judge expiry. */
export function withThresholdFlags<T>(y: Argv<T>) {
  return withCheckFlags(y)
    .option("warn-within", {
      type: "string",
      default: "30d",
      group: GROUP,
      describe: "Warn about certificates that expire within this long",
    })
    .option("critical-within", {
      type: "string",
      default: "7d",
      group: GROUP,
      describe: "Critical for certificates that expire within this long",
    });
}

export interface CheckOptions {
  failOn: FailOn;
  tlsTimeoutMs: number;
}

export interface ThresholdOptions extends CheckOptions {
  warnWithinMs: number;
  criticalWithinMs: number;
}

function duration(args: Record<string, unknown>, flag: string): number {
  const text = String(args[flag]);
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new UsageError(`invalid --${flag} "${text}"`, "use a duration such as 30d, 12h or 90m");
  return ms;
}

export function checkOptions(args: Record<string, unknown>): CheckOptions {
  const tlsTimeoutMs = duration(args, "tls-timeout");
  if (tlsTimeoutMs <= 0) throw new UsageError("--tls-timeout must be more than 0", "use e.g. 3s");
  return { failOn: failOnFrom(args), tlsTimeoutMs };
}

export function thresholdOptions(args: Record<string, unknown>): ThresholdOptions {
  const warnWithinMs = duration(args, "warn-within");
  const criticalWithinMs = duration(args, "critical-within");
  if (criticalWithinMs > warnWithinMs)
    throw new UsageError(
      `--critical-within (${args["critical-within"]}) is longer than --warn-within (${args["warn-within"]})`,
      "critical must be the shorter window",
    );
  return { ...checkOptions(args), warnWithinMs, criticalWithinMs };
}

export function thresholds(options: ThresholdOptions, ctx: CommandContext): Thresholds {
  return {
    now: ctx.clock.now(),
    warnWithinMs: options.warnWithinMs,
    criticalWithinMs: options.criticalWithinMs,
  };
}

/** The kubeconfig and client, loaded once and only when a source asks for them. */
export function sourceContext(ctx: CommandContext, options: SourceOptions): Omit<SourceContext, "explicit"> {
  let config: ResolvedKubeConfig | undefined;
  let client: Promise<KubeClient> | undefined;
  const loadConfig = () => {
    config ??= loadKubeConfig(ctx.kube, { env: ctx.env });
    return config;
  };
  return {
    kubeFlags: ctx.kube,
    env: ctx.env,
    config: loadConfig,
    client: () => {
      client ??= connect(ctx);
      return client;
    },
    options,
  };
}

/** The sources' context for commands that read only the cluster and TLS handshakes, never files. */
export function clusterSourceContext(ctx: CommandContext, tlsTimeoutMs: number, concurrency: number) {
  return sourceContext(ctx, {
    allContexts: false,
    pkiDir: "",
    kubeconfigDir: "",
    kubeletPkiDir: "",
    scanOpaque: false,
    probeTimeoutMs: tlsTimeoutMs,
    concurrency,
  });
}

/** Warnings go to stderr, one line each plus a hint, as errors do; sources that failed alike share a line. */
export function writeWarnings(
  ctx: CommandContext,
  warnings: readonly { source: string; message: string; hint?: string }[],
): void {
  const grouped = new Map<string, { sources: string[]; message: string; hint?: string }>();
  for (const w of warnings) {
    const key = `${w.message}\n${w.hint ?? ""}`;
    const group = grouped.get(key) ?? { sources: [], message: w.message, hint: w.hint };
    if (!group.sources.includes(w.source)) group.sources.push(w.source);
    grouped.set(key, group);
  }
  for (const g of grouped.values()) {
    ctx.io.err.write(`warning: ${g.sources.join(", ")}: ${g.message.replace(/\s*\n\s*/g, "; ")}\n`);
    if (g.hint) ctx.io.err.write(`  hint: ${g.hint}\n`);
  }
}
