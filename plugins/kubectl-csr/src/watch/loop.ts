import { sleep } from "@kubemend/lib/kube/informer";
import type { LeaderElector } from "./elector.js";

export interface WatchLoopOptions {
  intervalMs: number;
  /** Stop at this time (ms since the epoch); undefined runs until the signal aborts. */
  deadline?: number;
  signal: AbortSignal;
  elector?: LeaderElector;
  now(): Date;
  /** One approval pass over every pending kubelet serving CSR. */
  pass(): Promise<void>;
  log(line: string): void;
  /**
   * Starts a source of change notices (a watch on CSRs) and returns its stop; a notice starts the
   * next pass at once instead of after the interval, which stays as the resync.
   */
  changes?(notice: () => void): () => void;
}

/**
 * Runs approval passes until the deadline or the signal; with an elector, only while this
 * replica holds the lease. A failed pass is logged and retried next round, never fatal.
 */
export async function watchLoop(options: WatchLoopOptions): Promise<void> {
  let leading: boolean | undefined;
  const { signal } = options;
  let noticed = new AbortController();
  const stopChanges = options.changes?.(() => noticed.abort());
  try {
    while (!signal.aborted && (options.deadline === undefined || Date.now() < options.deadline)) {
      try {
        if (options.elector) {
          const result = await options.elector.tryLead(options.now());
          if (result.leading !== leading)
            options.log(
              result.leading
                ? `leading as ${options.elector.options.identity}`
                : `standing by: ${result.holder || "another replica"} leads`,
            );
          leading = result.leading;
        }
        if (!options.elector || leading) await options.pass();
      } catch (err) {
        options.log(`error: ${(err as Error).message}; retrying`);
      }
      const left = options.deadline === undefined ? options.intervalMs : options.deadline - Date.now();
      await sleep(Math.max(0, Math.min(options.intervalMs, left)), AbortSignal.any([signal, noticed.signal]));
      noticed = new AbortController();
    }
  } finally {
    stopChanges?.();
    if (options.elector && leading) await options.elector.release();
  }
}
