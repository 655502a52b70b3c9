/** What a command sees of SIGINT and SIGTERM: one AbortSignal for the whole run. */
export interface Interrupt {
  signal: AbortSignal;
  /**
   * Called by a command that ends by itself once the signal aborts (a watch loop that releases its
   * lease, a probe pod to delete first), until it calls the function returned. Otherwise the
   * process ends as the signal would have ended it, after the abort listeners (temporary files
   * removed) have run.
   */
  windDown(): () => void;
}

/** Why the signal aborted: SIGINT or SIGTERM, and the exit status a shell expects for it. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = "Interrupted";
  }

  get exitStatus(): number {
    return this.signal === "SIGINT" ? 130 : 143;
  }
}

/** The part of `process` this needs, so that a test can send signals without a process. */
export interface SignalTarget {
  pid: number;
  once(event: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
  kill(pid: number, signal: NodeJS.Signals): unknown;
  listenerCount(event: NodeJS.Signals): number;
}

export function interruptOnSignals(target: SignalTarget = process): Interrupt & { dispose(): void } {
  const controller = new AbortController();
  let windingDown = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    dispose();
    controller.abort(new Interrupted(signal));
    // The default action once our handlers are gone: the exit status a shell expects (130, 143).
    // A handler of the command's own (a probe pod to delete first) ends the process itself.
    if (windingDown === 0 && target.listenerCount(signal) === 0) target.kill(target.pid, signal);
  };
  const dispose = () => {
    target.off("SIGINT", onSignal);
    target.off("SIGTERM", onSignal);
  };
  target.once("SIGINT", onSignal);
  target.once("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    windDown: () => {
      windingDown++;
      let released = false;
      return () => {
        if (!released) windingDown--;
        released = true;
      };
    },
    dispose,
  };
}

/** For runs with no process signals (tests, completion): a signal that never aborts. */
export function noInterrupt(): Interrupt {
  return { signal: new AbortController().signal, windDown: () => () => {} };
}
