import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { startProgress } from "./progress.js";

describe("startProgress", () => {
  it("writes nothing when the stream is not a terminal", async () => {
    const stream = new PassThrough();
    const written: Buffer[] = [];
    stream.on("data", (c: Buffer) => written.push(c));
    const progress = await startProgress(stream, "collecting");
    progress.update("still collecting");
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(written).toString("utf8")).toBe("");
  });

  it("never makes a lazy label off a terminal, and on one makes it at most every 100 ms", async () => {
    const pipe = new PassThrough();
    const offTty = await startProgress(pipe, "collecting");
    let made = 0;
    for (let i = 0; i < 1000; i++) offTty.update(() => `label ${++made}`);
    offTty.stop();
    expect(made).toBe(0);

    const tty = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 80,
      cursorTo() {},
      clearLine() {},
      moveCursor() {},
    });
    tty.resume();
    const onTty = await startProgress(tty, "collecting");
    for (let i = 0; i < 1000; i++) onTty.update(() => `label ${++made}`);
    onTty.stop();
    expect(made).toBe(1);
  });
});
