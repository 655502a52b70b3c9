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
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Runs approval passes until the deadline or the signal; with an elector, only while this
 * replica holds the lease. A failed pass is logged and retried next round, never fatal.
 */
export async function watchLoop(options: WatchLoopOptions): Promise<void> {
  let leading: boolean | undefined;
  const { signal } = options;
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
      await sleep(Math.max(0, Math.min(options.intervalMs, left)), signal);
    }
  } finally {
    if (options.elector && leading) await options.elector.release();
  }
}
