import type { Writable } from "node:stream";

/**
 * A spinner with a changing label; a no-op off a TTY so logs and pipes stay clean, and on a
 * terminal that reports no width (a pseudo-terminal nobody sized, as script(1) makes under CI):
 * ora divides by the width, and erased thousands of lines there.
 */
export interface Progress {
  /** A label, or a function that makes it: called only when a label is shown, at most every 100 ms. */
  update(text: string | (() => string)): void;
  stop(): void;
}

const REDRAW_MS = 100;

const silent: Progress = { update() {}, stop() {} };

export async function startProgress(
  stream: Writable & { isTTY?: boolean; columns?: number },
  text: string,
): Promise<Progress> {
  if (!stream.isTTY || !(Number(stream.columns) > 0)) return silent;
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
