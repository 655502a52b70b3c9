import { describe, expect, it } from "vitest";
import { bufferStreams, processStreams, systemClock } from "./io.js";

describe("bufferStreams", () => {
  it("collects stdout and stderr separately", async () => {
    const io = bufferStreams();
    io.out.write("one ");
    io.err.write("problem\n");
    io.out.write("two\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(io.stdout()).toBe("one two\n");
    expect(io.stderr()).toBe("problem\n");
  });

  it("is not a terminal", () => {
    const io = bufferStreams();
    expect(io.out.isTTY).toBeUndefined();
    expect(io.err.isTTY).toBeUndefined();
  });

  it("keeps multi-byte characters split across writes", () => {
    const io = bufferStreams();
    const bytes = Buffer.from("✓ ok", "utf8");
    io.out.write(bytes.subarray(0, 1));
    io.out.write(bytes.subarray(1));
    expect(io.stdout()).toBe("✓ ok");
  });
});

describe("processStreams and systemClock", () => {
  it("are the process's own", () => {
    const io = processStreams();
    expect(io.out).toBe(process.stdout);
    expect(io.err).toBe(process.stderr);
    expect(io.in).toBe(process.stdin);
    expect(Math.abs(systemClock.now().getTime() - Date.now())).toBeLessThan(1000);
  });
});
