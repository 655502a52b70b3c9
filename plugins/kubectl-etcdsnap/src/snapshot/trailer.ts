import { createHash, type Hash } from "node:crypto";
import { open } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import type { Block, BlockFile } from "../bbolt/blockfile.js";

/** etcd appends sha256(everything before) to a snapshot it streams out (etcdctl snapshot save). */
export const TRAILER_SIZE = 32;

/** etcd's own test for a trailer: the bbolt data is whole 512-byte blocks, plus 32 bytes. */
export function hasTrailerSize(size: number): boolean {
  return size % 512 === TRAILER_SIZE;
}

/**
 * Streams bytes into sha256 while holding back the last 32 bytes seen, so the trailer is known
 * only at the end and the hash covers exactly what precedes it. Works on any stream of chunks.
 */
export class TrailerHasher {
  private readonly hash: Hash = createHash("sha256");
  private readonly tail = Buffer.alloc(TRAILER_SIZE);
  private tailLen = 0;
  private total = 0;

  update(chunk: Uint8Array): void {
    this.total += chunk.length;
    if (chunk.length >= TRAILER_SIZE) {
      if (this.tailLen > 0) this.hash.update(this.tail.subarray(0, this.tailLen));
      this.hash.update(chunk.subarray(0, chunk.length - TRAILER_SIZE));
      this.tail.set(chunk.subarray(chunk.length - TRAILER_SIZE));
      this.tailLen = TRAILER_SIZE;
      return;
    }
    const overflow = this.tailLen + chunk.length - TRAILER_SIZE;
    if (overflow > 0) {
      this.hash.update(this.tail.subarray(0, overflow));
      this.tail.copyWithin(0, overflow, this.tailLen);
      this.tailLen -= overflow;
    }
    this.tail.set(chunk, this.tailLen);
    this.tailLen += chunk.length;
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.total;
  }

  /** The sha256 of all but the last 32 bytes, and those 32 bytes (hex; trailer is null if fewer). */
  digest(): { actual: string; trailer: string | null } {
    const actual = this.hash.digest("hex");
    return { actual, trailer: this.tailLen === TRAILER_SIZE ? this.tail.toString("hex") : null };
  }
}

export interface TrailerCheck {
  /** sha256 of the file without its last 32 bytes. */
  actual: string;
  /** The last 32 bytes of the file. */
  expected: string;
  match: boolean;
}

/** Files at least this big are hashed on a worker thread, in parallel with the bbolt scan. */
export const WORKER_THRESHOLD = 64 << 20;

/**
 * Hashes a file with large sequential reads; null when it is shorter than a trailer. Big files
 * are hashed on a worker thread so the caller's thread stays free.
 */
export async function checkTrailerFile(path: string, chunkSize = 4 << 20): Promise<TrailerCheck | null> {
  const fh = await open(path, "r");
  try {
    const { size } = await fh.stat();
    if (size >= WORKER_THRESHOLD) {
      await fh.close();
      return await hashOnWorker(path, chunkSize);
    }
    const h = new TrailerHasher();
    const buf = Buffer.allocUnsafeSlow(chunkSize);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunkSize, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
    const { actual, trailer } = h.digest();
    return trailer === null ? null : { actual, expected: trailer, match: actual === trailer };
  } finally {
    await fh.close().catch(() => {});
  }
}

// Plain CommonJS so it runs from the esbuild bundle too (no separate worker file to ship).
const WORKER_SOURCE = `
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const { parentPort, workerData } = require("node:worker_threads");
const { path, chunkSize } = workerData;
const fd = fs.openSync(path, "r");
try {
  const h = createHash("sha256");
  const buf = Buffer.allocUnsafeSlow(chunkSize);
  const tail = Buffer.alloc(${TRAILER_SIZE});
  let tailLen = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, chunkSize, null);
    if (n === 0) break;
    if (n >= ${TRAILER_SIZE}) {
      if (tailLen > 0) h.update(tail.subarray(0, tailLen));
      h.update(buf.subarray(0, n - ${TRAILER_SIZE}));
      buf.copy(tail, 0, n - ${TRAILER_SIZE}, n);
      tailLen = ${TRAILER_SIZE};
    } else {
      const keep = Math.min(tailLen, ${TRAILER_SIZE} - n);
      h.update(tail.subarray(0, tailLen - keep));
      tail.copy(tail, 0, tailLen - keep, tailLen);
      buf.copy(tail, keep, 0, n);
      tailLen = keep + n;
    }
  }
  parentPort.postMessage({ actual: h.digest("hex"), trailer: tailLen === ${TRAILER_SIZE} ? tail.toString("hex") : null });
} finally {
  fs.closeSync(fd);
}
`;

function hashOnWorker(path: string, chunkSize: number): Promise<TrailerCheck | null> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, chunkSize } });
    w.once("message", (m: { actual: string; trailer: string | null }) => {
      resolve(
        m.trailer === null ? null : { actual: m.actual, expected: m.trailer, match: m.actual === m.trailer },
      );
    });
    w.once("error", reject);
    w.once("exit", (code) => reject(new Error(`sha256 worker exited with code ${code}`)));
  });
}

// The worker of hashBlocks: hashes the blocks the main thread read, which come in file order.
const BLOCKS_WORKER_SOURCE = `
const { createHash } = require("node:crypto");
const { parentPort, workerData } = require("node:worker_threads");
const { size } = workerData;
const dataEnd = size - ${TRAILER_SIZE};
const h = createHash("sha256");
const trailer = Buffer.alloc(${TRAILER_SIZE});
let pos = 0;
parentPort.on("message", (m) => {
  if (m.type === "block") {
    const buf = Buffer.from(m.sab, m.offset, m.length);
    if (pos < dataEnd) h.update(buf.subarray(0, Math.min(m.length, dataEnd - pos)));
    if (pos + m.length > dataEnd) {
      const from = Math.max(pos, dataEnd);
      buf.copy(trailer, from - dataEnd, from - pos, m.length);
    }
    pos += m.length;
    parentPort.postMessage({ type: "done", idx: m.idx });
    return;
  }
  parentPort.postMessage({ type: "digest", actual: h.digest("hex"), trailer: pos === size ? trailer.toString("hex") : null });
  parentPort.close();
});
`;

/** Blocks handed to the worker and not yet hashed, at most: bounds the memory they keep. */
const MAX_BLOCKS_IN_FLIGHT = 8;

export interface BlockHashing {
  /** Reads and hands over the blocks not read yet; the check comes back once all are hashed. */
  finish(): Promise<TrailerCheck | null>;
}

/**
 * Hashes a file (as checkTrailerFile) on a worker thread from the blocks `file` reads anyway, so a
 * status reads the file once, not twice: every block is shared with the worker in file order
 * (SharedArrayBuffer, no copy; see BlockFile.feed) and stays pinned until it is hashed. Needs
 * `file` opened with `shared: true`; `size` is the file's size.
 */
export function hashBlocks(file: BlockFile, size: number): BlockHashing {
  const w = new Worker(BLOCKS_WORKER_SOURCE, { eval: true, workerData: { size } });
  const inFlight = new Map<number, Block>();
  let room: (() => void) | undefined;
  let failed: Error | undefined;
  const result = new Promise<TrailerCheck | null>((resolve, reject) => {
    w.on("message", (m: { type: string; idx: number; actual: string; trailer: string | null }) => {
      if (m.type === "done") {
        const b = inFlight.get(m.idx);
        inFlight.delete(m.idx);
        if (b !== undefined) file.unpin(b);
        room?.();
        room = undefined;
        return;
      }
      resolve(
        m.trailer === null ? null : { actual: m.actual, expected: m.trailer, match: m.actual === m.trailer },
      );
    });
    const fail = (err: Error) => {
      failed = err;
      room?.();
      reject(err);
    };
    w.once("error", fail);
    w.once("exit", (code) => fail(new Error(`sha256 worker exited with code ${code}`)));
  });
  result.catch(() => {});
  let idx = 0;
  file.feed({
    async accept(b) {
      if (failed !== undefined) throw failed;
      if (!(b.buf.buffer instanceof SharedArrayBuffer)) throw new Error("hashBlocks needs shared blocks");
      file.pin(b);
      inFlight.set(idx, b);
      w.postMessage({
        type: "block",
        idx: idx++,
        sab: b.buf.buffer,
        offset: b.buf.byteOffset,
        length: b.buf.length,
      });
      while (inFlight.size >= MAX_BLOCKS_IN_FLIGHT && failed === undefined)
        await new Promise<void>((resolve) => {
          room = resolve;
        });
    },
  });
  return {
    async finish() {
      try {
        await file.feedRest();
      } catch (err) {
        await w.terminate();
        throw err;
      }
      w.postMessage({ type: "digest" });
      return result;
    },
  };
}
