import os from "node:os";
import type { Comparison } from "./compare.js";
import type { Goal } from "./suite.js";

export interface Machine {
  cores: number;
  memoryGiB: number;
  cpu: string;
  node: string;
  versions: Record<string, string>;
}

export function machine(versions: Record<string, string>): Machine {
  return {
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    cpu: os.cpus()[0]?.model ?? "unknown",
    node: process.version,
    versions,
  };
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
const mb = (value: number) => `${value.toFixed(0)} MB`;

/** A Markdown table: one row per side, then the paired ratio. */
export function markdown(result: Comparison, host: Machine, goal?: Goal): string {
  const row = (side: Comparison["a"]) =>
    `| ${side.label} | ${ms(side.wallMs.min)} | ${ms(side.wallMs.median)} | ${ms(side.wallMs.max)} | ${mb(side.maxRssMb.median)} | ${mb(side.maxRssMb.max)} |`;
  return [
    `### ${result.name}`,
    "",
    `${host.cores} cores, ${host.memoryGiB} GiB, ${host.cpu}; Node ${host.node}; ${Object.entries(
      host.versions,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}. ${result.runs} alternating runs after ${result.warmup} warm-up.`,
    "",
    "| command | wall min | wall median | wall max | peak RSS median | peak RSS max |",
    "| --- | --- | --- | --- | --- | --- |",
    row(result.a),
    row(result.b),
    "",
    `Ratio ${result.a.label} / ${result.b.label} (paired, wall): median **${result.ratio.median.toFixed(2)}×** (min ${result.ratio.min.toFixed(2)}×, max ${result.ratio.max.toFixed(2)}×)${goal ? `; goal ≤ ${goal.ratio.toFixed(1)}×: ${met(result.ratio.median <= goal.ratio)}` : ""}.`,
    ...(goal?.rssMb === undefined
      ? []
      : [
          "",
          `Peak RSS of ${result.a.label}: max ${mb(result.a.maxRssMb.max)}; goal ≤ ${mb(goal.rssMb)}: ${met(result.a.maxRssMb.max <= goal.rssMb)}.`,
        ]),
    ...(goal?.rssRatio === undefined
      ? []
      : [
          "",
          `Peak RSS ratio (medians): **${rssRatio(result).toFixed(2)}×**; goal ≤ ${goal.rssRatio.toFixed(1)}×: ${met(rssRatio(result) <= goal.rssRatio)}.`,
        ]),
    "",
  ].join("\n");
}

const rssRatio = (result: Comparison) => result.a.maxRssMb.median / result.b.maxRssMb.median;

const met = (ok: boolean) => (ok ? "met" : "**not met**");
