import { PassThrough, type Readable, type Writable } from "node:stream";

/** The streams a command writes to, injected so tests can capture them. */
export interface IOStreams {
  in: Readable;
  out: Writable & { isTTY?: boolean };
  err: Writable & { isTTY?: boolean };
}

/** The clock a command reads, injected so tests can fix the time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function processStreams(): IOStreams {
  return {
    // Made on first read: opening stdin costs ~3 ms of every start-up, and few commands read it.
    get in() {
      return process.stdin;
    },
    out: process.stdout,
    err: process.stderr,
  };
}

/** Streams that collect what a command writes, for tests. */
export function bufferStreams(): IOStreams & { stdout(): string; stderr(): string } {
  const out = new PassThrough();
  const err = new PassThrough();
  const collected = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on("data", (c: Buffer) => collected.out.push(c));
  err.on("data", (c: Buffer) => collected.err.push(c));
  return {
    in: new PassThrough(),
    out,
    err,
    stdout: () => Buffer.concat(collected.out).toString("utf8"),
    stderr: () => Buffer.concat(collected.err).toString("utf8"),
  };
}
