import type { Command } from "./measure.js";

export interface SuiteContext {
  repo: string;
}

/** One benchmark: kubemend's command (a) and its peer (b), prepared on whatever they need. */
export interface Suite {
  name: string;
  describe: string;
  prepare(ctx: SuiteContext): Promise<{ a: Command; b: Command; teardown(): Promise<void> }>;
}
