import { type Command, measure, type Sample } from "./measure.js";
import { pairedRatios, type Summary, summarize } from "./stats.js";
import type { Prepared } from "./suite.js";

export interface Side {
  label: string;
  command: string;
  wallMs: Summary;
  maxRssMb: Summary;
  samples: Sample[];
}

export interface Comparison {
  name: string;
  runs: number;
  warmup: number;
  a: Side;
  b: Side;
  /** A's wall time over B's, run by run, and their median. */
  ratios: number[];
  ratio: Summary;
}

/**
 * Warms both commands up, then alternates them (A B A B ...) so that the machine's noise falls on
 * both alike, and reports each side's spread and the paired A/B ratios. `beforeRun` (untimed)
 * resets whatever a run uses up and may replace the command.
 */
export async function compare(
  name: string,
  a: Command,
  b: Command,
  runs = 5,
  warmup = 1,
  beforeRun?: Prepared["beforeRun"],
): Promise<Comparison> {
  const run = async (side: "a" | "b") => measure((await beforeRun?.(side)) ?? (side === "a" ? a : b));
  for (let i = 0; i < warmup; i++) {
    await run("a");
    await run("b");
  }
  const samples: { a: Sample[]; b: Sample[] } = { a: [], b: [] };
  for (let i = 0; i < runs; i++) {
    samples.a.push(await run("a"));
    samples.b.push(await run("b"));
  }
  const side = (command: Command, list: Sample[]): Side => ({
    label: command.label,
    command: command.argv.join(" "),
    wallMs: summarize(list.map((s) => s.wallMs)),
    maxRssMb: summarize(list.map((s) => s.maxRssKb / 1024)),
    samples: list,
  });
  const ratios = pairedRatios(
    samples.a.map((s) => s.wallMs),
    samples.b.map((s) => s.wallMs),
  );
  return {
    name,
    runs,
    warmup,
    a: side(a, samples.a),
    b: side(b, samples.b),
    ratios,
    ratio: summarize(ratios),
  };
}
