import type { Writable } from "node:stream";

/** A spinner with a changing label; a no-op off a TTY so logs and pipes stay clean. */
export interface Progress {
  update(text: string): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

export async function startProgress(stream: Writable & { isTTY?: boolean }, text: string): Promise<Progress> {
  if (!stream.isTTY) return silent;
  const { default: ora } = await import("ora");
  const spinner = ora({ text, stream: stream as NodeJS.WritableStream, discardStdin: false }).start();
  return {
    update: (label) => {
      spinner.text = label;
    },
    stop: () => {
      spinner.stop();
    },
  };
}
