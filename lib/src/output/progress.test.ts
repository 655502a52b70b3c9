import { PassThrough } from "node:stream";
import { describe, expect, it, vi } from "vitest";
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

  it("writes nothing on a terminal that reports no width", async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 0 });
    const written: Buffer[] = [];
    tty.on("data", (c: Buffer) => written.push(c));
    const progress = await startProgress(tty, "reading kubeconfig");
    progress.update("still reading");
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(written).toString("utf8")).toBe("");
  });

  it("never makes a lazy label off a terminal, and on one makes it at most every 100 ms", async () => {
    // A controlled clock (performance.now, Date and timers); it starts at 0, so first let a process
    // that has been up a while pass.
    vi.useFakeTimers();
    try {
      vi.advanceTimersByTime(60_000);
      const pipe = new PassThrough();
      const offTty = await startProgress(pipe, "collecting");
      let made = 0;
      for (let i = 0; i < 100; i++) {
        offTty.update(() => `label ${++made}`);
        vi.advanceTimersByTime(50);
      }
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
      const madeAt: number[] = [];
      const update = () =>
        onTty.update(() => {
          madeAt.push(performance.now());
          return `label ${madeAt.length}`;
        });
      const start = performance.now();

      // The first label is made at once; a burst in the same instant makes no more.
      for (let i = 0; i < 1000; i++) update();
      expect(madeAt).toEqual([start]);
      // Not before 100 ms have passed...
      vi.advanceTimersByTime(99);
      update();
      expect(madeAt).toEqual([start]);
      // ...but once they have, the next update makes one, and a burst right after it none.
      vi.advanceTimersByTime(51);
      for (let i = 0; i < 1000; i++) update();
      expect(madeAt).toEqual([start, start + 150]);
      // A long quiet spell is not made up for: one update, one label.
      vi.advanceTimersByTime(5_000);
      update();
      expect(madeAt).toEqual([start, start + 150, start + 5_150]);

      // Updates every 10 ms for 2 s: a label roughly every 100 ms, never two within 100 ms.
      madeAt.length = 0;
      vi.advanceTimersByTime(1_000);
      for (let t = 0; t < 2_000; t += 10) {
        update();
        vi.advanceTimersByTime(10);
      }
      onTty.stop();
      expect(madeAt.length).toBeGreaterThanOrEqual(18);
      expect(madeAt.length).toBeLessThanOrEqual(20);
      for (let i = 1; i < madeAt.length; i++) {
        const gap = (madeAt[i] as number) - (madeAt[i - 1] as number);
        expect(gap).toBeGreaterThanOrEqual(100);
        expect(gap).toBeLessThanOrEqual(110);
      }
    } finally {
      vi.useRealTimers();
    }
  });
});
