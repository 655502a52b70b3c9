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
});
