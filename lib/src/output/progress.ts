import type { Writable } from "node:stream";

/** A spinner with a changing label; a no-op off a TTY so logs and pipes stay clean. */
export interface Progress {
  /** A label, or a function that makes it: called only when a label is shown, at most every 100 ms. */
  update(text: string | (() => string)): void;
  stop(): void;
}

const REDRAW_MS = 100;

const silent: Progress = { update() {}, stop() {} };

export async function startProgress(stream: Writable & { isTTY?: boolean }, text: string): Promise<Progress> {
  if (!stream.isTTY) return silent;
  const { default: ora } = await import("ora");
  const spinner = ora({ text, stream: stream as NodeJS.WritableStream, discardStdin: false }).start();
  let shown = 0;
  return {
    update: (label) => {
      if (typeof label === "string") {
        spinner.text = label;
        return;
      }
      const now = performance.now();
      if (now - shown < REDRAW_MS) return;
      shown = now;
      spinner.text = label();
    },
    stop: () => {
      spinner.stop();
    },
  };
}
