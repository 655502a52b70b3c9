import { describe, expect, it } from "vitest";
import { readAhead } from "./read-ahead.js";

/** A source that records when each item is asked for and when it is handed out. */
function recorded(count: number, log: string[], failAt?: number) {
  return (async function* () {
    for (let i = 0; i < count; i++) {
      log.push(`fetch ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (i === failAt) throw new Error(`page ${i} failed`);
      yield i;
    }
  })();
}

describe("readAhead", () => {
  it("asks for the next item before the consumer has finished with the current one", async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const item of readAhead(recorded(3, log))) {
      log.push(`use ${item}`);
      seen.push(item);
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(log).toEqual(["fetch 0", "fetch 1", "use 0", "fetch 2", "use 1", "use 2"]);
  });

  it("passes a failure on to the consumer", async () => {
    const seen: number[] = [];
    await expect(async () => {
      for await (const item of readAhead(recorded(3, [], 1))) seen.push(item);
    }).rejects.toThrow("page 1 failed");
    expect(seen).toEqual([0]);
  });

  it("leaves no unhandled rejection when the consumer stops while the next item fails", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      for await (const item of readAhead(recorded(3, [], 1))) if (item === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 30));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
