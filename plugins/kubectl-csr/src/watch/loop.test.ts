import { describe, expect, it, vi } from "vitest";
import type { LeaderElector } from "./elector.js";
import { watchLoop } from "./loop.js";

/** An elector that follows a script of rounds (leading or not) and stops the loop when it runs out. */
function scripted(rounds: boolean[], stop: AbortController) {
  const calls = { released: 0 };
  const elector = {
    options: { identity: "pod-a" },
    tryLead: async () => {
      const leading = rounds.shift();
      if (rounds.length === 0) stop.abort();
      return { leading: leading ?? false, holder: "pod-b" };
    },
    release: async () => {
      calls.released++;
    },
  } as unknown as LeaderElector;
  return { elector, calls };
}

describe("watchLoop", () => {
  it("passes only in rounds it leads, logs each change of role, and releases the lease it holds at the end", async () => {
    const stop = new AbortController();
    const { elector, calls } = scripted([false, true, true, false, true], stop);
    const log: string[] = [];
    let passes = 0;
    await watchLoop({
      intervalMs: 0,
      signal: stop.signal,
      elector,
      now: () => new Date(),
      log: (line) => log.push(line),
      pass: async () => {
        passes++;
      },
    });
    expect(passes).toBe(3);
    expect(log).toEqual([
      "standing by: pod-b leads",
      "leading as pod-a",
      "standing by: pod-b leads",
      "leading as pod-a",
    ]);
    expect(calls.released).toBe(1);
  });

  it("logs a failed pass and keeps going", async () => {
    const stop = new AbortController();
    const log: string[] = [];
    let passes = 0;
    await watchLoop({
      intervalMs: 0,
      signal: stop.signal,
      now: () => new Date(),
      log: (line) => log.push(line),
      pass: async () => {
        passes++;
        if (passes === 1) throw new Error("the API server at https://10.2.1.151:6443 dropped the connection");
        stop.abort();
      },
    });
    expect(passes).toBe(2);
    expect(log).toEqual([
      "error: the API server at https://10.2.1.151:6443 dropped the connection; retrying",
    ]);
  });

  it("stops at the deadline", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-23T12:00:00.000Z") });
    try {
      const start = Date.now();
      const passedAt: number[] = [];
      let done = false;
      const loop = watchLoop({
        intervalMs: 10,
        deadline: start + 35,
        signal: new AbortController().signal,
        now: () => new Date(),
        log: () => {},
        pass: async () => {
          passedAt.push(Date.now() - start);
        },
      }).then(() => {
        done = true;
      });
      // Before the deadline: a pass at once, then one every interval.
      await vi.advanceTimersByTimeAsync(0);
      expect(passedAt).toEqual([0]);
      await vi.advanceTimersByTimeAsync(25);
      expect(passedAt).toEqual([0, 10, 20]);
      await vi.advanceTimersByTimeAsync(9);
      expect(passedAt).toEqual([0, 10, 20, 30]);
      expect(done).toBe(false);
      // At the deadline (35 ms, not the next interval at 40 ms) it stops, without another pass.
      await vi.advanceTimersByTimeAsync(1);
      expect(done).toBe(true);
      await loop;
      await vi.advanceTimersByTimeAsync(100);
      expect(passedAt).toEqual([0, 10, 20, 30]);

      // A deadline already past: no pass at all.
      let late = 0;
      await watchLoop({
        intervalMs: 10,
        deadline: Date.now() - 1,
        signal: new AbortController().signal,
        now: () => new Date(),
        log: () => {},
        pass: async () => {
          late++;
        },
      });
      expect(late).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("starts the next pass as soon as a change is noticed, not after the interval, and stops the source", async () => {
    const stop = new AbortController();
    let notice = () => {};
    let stopped = 0;
    let passes = 0;
    await watchLoop({
      intervalMs: 3_600_000,
      signal: stop.signal,
      now: () => new Date(),
      log: () => {},
      changes: (onChange) => {
        notice = onChange;
        return () => {
          stopped++;
        };
      },
      pass: async () => {
        passes++;
        if (passes === 1) setImmediate(() => notice());
        else stop.abort();
      },
    });
    expect(passes).toBe(2);
    expect(stopped).toBe(1);
  });
});
