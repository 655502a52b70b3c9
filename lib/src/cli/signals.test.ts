import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { type Interrupted, interruptOnSignals } from "./signals.js";

function fakeProcess() {
  const emitter = new EventEmitter();
  const killed: string[] = [];
  return {
    target: Object.assign(emitter, {
      pid: 42,
      kill: (pid: number, signal: NodeJS.Signals) => killed.push(`${pid} ${signal}`),
    }),
    killed,
  };
}

describe("interruptOnSignals", () => {
  it("aborts the one signal, runs its listeners, then ends the process as the signal would", () => {
    const { target, killed } = fakeProcess();
    const interrupt = interruptOnSignals(target);
    const seen: string[] = [];
    interrupt.signal.addEventListener("abort", () => seen.push(`cleanup, killed so far: ${killed.length}`));
    target.emit("SIGINT", "SIGINT");
    expect(interrupt.signal.aborted).toBe(true);
    expect((interrupt.signal.reason as Error).message).toBe("interrupted by SIGINT");
    expect((interrupt.signal.reason as Interrupted).exitStatus).toBe(130);
    expect(seen).toEqual(["cleanup, killed so far: 0"]);
    expect(killed).toEqual(["42 SIGINT"]);
    expect(target.listenerCount("SIGINT") + target.listenerCount("SIGTERM")).toBe(0);
  });

  it("lets a command that winds down by itself finish, only while it says so", () => {
    const { target, killed } = fakeProcess();
    const interrupt = interruptOnSignals(target);
    interrupt.windDown();
    target.emit("SIGTERM", "SIGTERM");
    expect(interrupt.signal.aborted).toBe(true);
    expect((interrupt.signal.reason as Interrupted).exitStatus).toBe(143);
    expect(killed).toEqual([]);
    const later = fakeProcess();
    const again = interruptOnSignals(later.target);
    const release = again.windDown();
    release();
    release();
    later.target.emit("SIGINT", "SIGINT");
    expect(later.killed).toEqual(["42 SIGINT"]);
  });

  it("leaves the ending to a handler the command installed itself", () => {
    const { target, killed } = fakeProcess();
    const interrupt = interruptOnSignals(target);
    const own: string[] = [];
    target.once("SIGINT", () => own.push("delete the probe pod, then exit 130"));
    target.emit("SIGINT", "SIGINT");
    expect(interrupt.signal.aborted).toBe(true);
    expect(own).toEqual(["delete the probe pod, then exit 130"]);
    expect(killed).toEqual([]);
  });

  it("dispose leaves the process's own handling in place", () => {
    const { target } = fakeProcess();
    interruptOnSignals(target).dispose();
    expect(target.listenerCount("SIGINT") + target.listenerCount("SIGTERM")).toBe(0);
  });
});
