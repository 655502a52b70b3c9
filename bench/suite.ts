import path from "node:path";
import type { Command } from "./measure.js";

export interface SuiteContext {
  repo: string;
  /** Multiplies the workload's size (1 is the size the issue names); smaller for a quick try. */
  scale: number;
}

export type SideName = "a" | "b";

export interface Prepared {
  a: Command;
  b: Command;
  /**
   * Runs before every run of either side, warm-up included, outside the timing: puts back what
   * the previous run used up, and returns the command to run this time when it changes.
   */
  beforeRun?(side: SideName): Promise<Command | undefined>;
  teardown(): Promise<void>;
}

/** A kubemend subcommand a suite runs, such as `kubectl csr approve-serving`. */
export interface Required {
  plugin: string;
  command: string;
}

/** What the issue asks of a suite: the paired wall ratio A/B at most `ratio`, A's peak RSS at most `rssMb`. */
export interface Goal {
  ratio: number;
  rssMb?: number;
  /** Median peak RSS of kubemend's side over the peer's. */
  rssRatio?: number;
}

/** One benchmark: kubemend's command (a) and its peer (b), prepared on whatever they need. */
export interface Suite {
  name: string;
  describe: string;
  /** Printed next to the measured ratio, with whether the median meets it. */
  goal?: Goal;
  /** Checked before anything is prepared, so a missing command fails in a second, not after the workload. */
  requires?: Required[];
  prepare(ctx: SuiteContext): Promise<Prepared>;
}

/** The environment that makes `kubectl <plugin>` dispatch to the built plugins, as after a krew install. */
export function withPlugins(repo: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${path.join(repo, "bin")}${path.delimiter}${process.env.PATH}` };
}
