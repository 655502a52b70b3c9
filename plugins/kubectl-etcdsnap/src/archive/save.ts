// The verification pipeline of `save`: streams Maintenance/Snapshot into FILE.part (durable.ts),
// verifying as it goes, and gives the file its final name only when every check passed and the
// data is on disk. Any failure removes what was written, so a file under a final name is always a
// whole, verified snapshot.

import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { IncompleteError } from "@kubemend/lib/cli/errors";
import { type Outcome, outcome, unwrap } from "@kubemend/lib/concurrency";
import type { SnapshotResponse } from "../etcd/proto.js";
import { LeafRuns } from "../snapshot/leaf-runs.js";
import { type SnapshotStatus, snapshotStatus } from "../snapshot/status.js";
import { hasTrailerSize, type TrailerCheck, TrailerHasher } from "../snapshot/trailer.js";
import { fsError, PartFile, publish, syncDir, writeSynced } from "./durable.js";
import { integrityProblem } from "./integrity.js";
import { metadataPath, type SnapshotMetadata } from "./metadata.js";

export type SnapshotStream = AsyncIterable<SnapshotResponse> & {
  cancel(): void;
  on(event: "error", listener: (err: Error) => void): unknown;
};

export interface SaveOptions {
  /** Starts the snapshot stream; called once the file is open, so no message waits unread. */
  start(): Promise<SnapshotStream>;
  /** Where the bytes go while they arrive; removed on failure. */
  partPath: string;
  /** The final path, decided once the snapshot is verified (the default name holds the revision). */
  finalPath(status: SnapshotStatus): string;
  metadata(status: SnapshotStatus, finalPath: string): SnapshotMetadata;
  /** Turns a stream error into the one line to print. */
  streamError(err: unknown): Error;
  progress?(received: number, total: number | undefined): void;
  /**
   * Encryption at rest: called with the verified plaintext, returns the file that takes the
   * final name instead (a `.part` of its own), and removes the plaintext.
   */
  seal?(verifiedPlain: string, finalPath: string): Promise<string>;
}

export interface Saved {
  path: string;
  metadataPath: string;
  status: SnapshotStatus;
  metadata: SnapshotMetadata;
}

/** Writes are gathered into blocks this big (etcd sends 32 KiB messages). */
const WRITE_BLOCK = 1 << 20;

export async function saveSnapshot(o: SaveOptions): Promise<Saved> {
  const made: string[] = [o.partPath];
  let call: SnapshotStream | undefined;
  try {
    // A leftover of a save that crashed is ours to replace; a final name never is.
    await rm(o.partPath, { force: true });
    const part = await PartFile.create(o.partPath);
    let status: SnapshotStatus;
    try {
      call = await o.start();
      // Errors reach the loop in download(); this only keeps a late one (after a cancel) from
      // being thrown as an 'error' event with no listener.
      call.on("error", () => {});
      status = await downloadVerified(o, call, part);
    } catch (err) {
      await part.abandon();
      throw err;
    }
    await part.close();
    const problem = integrityProblem(status);
    if (problem !== undefined)
      throw new IncompleteError(
        `the snapshot failed verification: ${problem}`,
        "take the snapshot again, from another member with --endpoint if it repeats",
      );
    const finalPath = o.finalPath(status);
    const written = o.seal ? await o.seal(o.partPath, finalPath) : o.partPath;
    if (written !== o.partPath) made.push(written);
    const metadata = o.metadata(status, finalPath);
    const metaPart = `${metadataPath(finalPath)}.part`;
    made.push(metaPart);
    await writeSynced(metaPart, `${JSON.stringify(metadata, null, 2)}\n`);
    await publish(written, finalPath);
    made.push(finalPath);
    await rename(metaPart, metadataPath(finalPath)).catch(fsError(metadataPath(finalPath), "renaming to"));
    await syncDir(path.dirname(finalPath));
    return { path: finalPath, metadataPath: metadataPath(finalPath), status, metadata };
  } catch (err) {
    call?.cancel();
    // Whatever this save wrote goes; a file that cannot be removed is left for the next run's rm.
    await Promise.allSettled(made.map((f) => rm(f, { force: true })));
    throw err;
  }
}

/**
 * Streams the snapshot into `part` and verifies it: the sha256 trailer as it arrives, and the
 * bbolt and mvcc structure by a check that follows the download through the file (pages arrive in
 * file order; the check waits for those not written yet), so little of it is left at the end.
 * Resolves once the data is fsynced and checked.
 */
async function downloadVerified(
  o: SaveOptions,
  call: SnapshotStream,
  part: PartFile,
): Promise<SnapshotStatus> {
  const hasher = new TrailerHasher();
  const onDisk = new WrittenBytes();
  let following: { total: number; status: Promise<Outcome<SnapshotStatus>> } | undefined;
  // The leaves' CRCs, computed from the blocks on their way to the file: the check after the
  // stream combines them instead of hashing every value again (a quarter of its time on 1 GiB).
  let leafRuns: LeafRuns | undefined;
  let trailerKnown: ((t: TrailerCheck) => void) | undefined;
  /** Ends a followed check still waiting for bytes or the trailer, and waits until it has closed the file. */
  const stopFollowing = async () => {
    onDisk.end();
    // Once the stream has ended without a good trailer, the followed check's result is not used.
    trailerKnown?.({ actual: "", expected: "", match: false });
    await following?.status;
  };
  try {
    await download(o, call, part, hasher, {
      total(total) {
        leafRuns = new LeafRuns(total - 32);
        const check = new Promise<TrailerCheck>((known) => {
          trailerKnown = known;
        });
        following = {
          total,
          status: outcome(
            snapshotStatus(o.partPath, {
              requireTrailer: true,
              size: total,
              written: (end) => onDisk.until(end),
              trailer: check,
              // Half status's default: the pages were just written, so re-reads come from the page
              // cache, and the peak RSS of a save comes from the download plus this check.
              cacheBytes: 8 << 20,
              leafRuns,
            }),
          ),
        };
      },
      block: (data, at) => leafRuns?.push(data, at),
      written: (end) => onDisk.advance(end),
    });
    const size = hasher.size;
    const { actual, trailer: sent } = hasher.digest();
    if (!hasTrailerSize(size) || sent === null)
      throw new IncompleteError(
        `the snapshot stream ended after ${size} bytes, which is not 512n+32: it was cut`,
        "take the snapshot again; if it keeps happening, check the member's health and the network",
      );
    if (actual !== sent)
      throw new IncompleteError(
        `the snapshot's sha256 ${actual} does not match the trailer etcd sent (${sent})`,
        "take the snapshot again, from another member with --endpoint if it repeats",
      );
    const sha: TrailerCheck = { actual, expected: sent, match: true };
    trailerKnown?.(sha);
    // The rest of the check reads the written pages back (from the page cache) while the fsync
    // puts them on disk; both must be done before anything is renamed. Should etcd's announced
    // size have been wrong, the followed check read the wrong extent: the whole file is checked again.
    const synced = outcome(part.sync());
    let checked: Promise<Outcome<SnapshotStatus>>;
    if (following !== undefined && following.total === size) checked = following.status;
    else {
      await stopFollowing();
      checked = outcome(
        snapshotStatus(o.partPath, { requireTrailer: true, trailer: sha, cacheBytes: 8 << 20, leafRuns }),
      );
    }
    const [sync, check] = [await synced, await checked];
    unwrap(sync);
    return unwrap(check);
  } finally {
    await stopFollowing();
  }
}

/**
 * How much of the file is written, for a reader that follows the writer: until(end) resolves once
 * bytes [0, end) are there, and rejects once end() says no more will come.
 */
class WrittenBytes {
  private done = 0;
  private ended = false;
  private waiting: { end: number; resolve(): void; reject(err: Error): void }[] = [];

  until(end: number): Promise<void> {
    if (end <= this.done) return Promise.resolve();
    if (this.ended) return Promise.reject(new Error("the snapshot stream ended before these bytes arrived"));
    return new Promise((resolve, reject) => this.waiting.push({ end, resolve, reject }));
  }

  advance(done: number): void {
    this.done = done;
    const still: typeof this.waiting = [];
    for (const w of this.waiting) {
      if (w.end <= done) w.resolve();
      else still.push(w);
    }
    this.waiting = still;
  }

  end(): void {
    this.ended = true;
    const err = new Error("the snapshot stream ended before these bytes arrived");
    for (const w of this.waiting) w.reject(err);
    this.waiting = [];
  }
}

interface StreamEvents {
  /** The size the file will have, as soon as the first message tells. */
  total(total: number): void;
  /** Bytes [at, at+data.length) on their way to the file (the view is valid only during the call). */
  block(data: Uint8Array, at: number): void;
  /** Bytes [0, end) are in the file. */
  written(end: number): void;
}

async function download(
  o: SaveOptions,
  call: SnapshotStream,
  part: PartFile,
  hasher: TrailerHasher,
  events: StreamEvents,
): Promise<void> {
  // Two reused blocks: messages are copied into one while the other is being written, so the
  // stream keeps flowing during a write and no block is allocated per write.
  const blocks = [Buffer.allocUnsafeSlow(WRITE_BLOCK), Buffer.allocUnsafeSlow(WRITE_BLOCK)] as const;
  let current = 0;
  let filled = 0;
  // The write in flight; its failure is thrown by the next flush.
  let writing: Promise<Outcome<void>> = outcome(Promise.resolve());
  let position = 0;
  const flush = async () => {
    unwrap(await writing);
    if (filled === 0) return;
    const block = blocks[current] as Buffer;
    const length = filled;
    const at = position;
    position += length;
    events.block(block.subarray(0, length), at);
    writing = outcome(part.write(block, length, at).then(() => events.written(at + length)));
    current ^= 1;
    filled = 0;
  };
  let total: number | undefined;
  try {
    for await (const msg of call) {
      const blob = msg.blob;
      if (blob.length === 0) continue;
      // The first message says how much follows; the sha256 comes after the data.
      if (total === undefined) {
        total = hasher.size + blob.length + msg.remainingBytes + 32;
        events.total(total);
      }
      hasher.update(blob);
      let from = 0;
      while (from < blob.length) {
        const n = Math.min(blob.length - from, WRITE_BLOCK - filled);
        (blocks[current] as Buffer).set(blob.subarray(from, from + n), filled);
        filled += n;
        from += n;
        if (filled === WRITE_BLOCK) await flush();
      }
      o.progress?.(hasher.size, total);
    }
  } catch (err) {
    // The block in flight lands (or fails) before the file is closed; the stream's error is the
    // one to report, or a write's, which flush() threw.
    await writing;
    if (err instanceof IncompleteError) throw err;
    throw o.streamError(err);
  }
  await flush();
  unwrap(await writing);
}
