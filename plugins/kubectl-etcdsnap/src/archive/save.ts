// Streams Maintenance/Snapshot into FILE.part (0600), verifying as it goes, and gives the file its
// final name only when every check passed and the data is on disk. Any failure removes what was
// written, so a file under a final name is always a whole, verified snapshot.

import { constants } from "node:fs";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { BadInputError, IncompleteError } from "@kubemend/lib/cli/errors";
import type { SnapshotResponse } from "../etcd/proto.js";
import { LeafRuns } from "../snapshot/leaf-runs.js";
import { type SnapshotStatus, snapshotStatus } from "../snapshot/status.js";
import { hasTrailerSize, type TrailerCheck, TrailerHasher } from "../snapshot/trailer.js";
import { integrityProblem } from "./integrity.js";
import { metadataPath, type SnapshotMetadata } from "./metadata.js";
import { renameNoReplace } from "./no-replace.js";

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
  const onDisk = new WrittenBytes();
  // The structure check follows the download through the file as it is written (pages arrive in
  // file order; the check waits for the ones not there yet), so little of it is left at the end.
  let following: { total: number; status: Promise<SnapshotStatus> } | undefined;
  // The leaves' CRCs, computed from the blocks on their way to the file: the check after the
  // stream combines them instead of hashing every value again (a quarter of its time on 1 GiB).
  let leafRuns: LeafRuns | undefined;
  let trailerKnown!: (t: TrailerCheck) => void;
  let trailerMissing!: (err: Error) => void;
  const trailerCheck = new Promise<TrailerCheck>((resolve, reject) => {
    trailerKnown = resolve;
    trailerMissing = reject;
  });
  trailerCheck.catch(() => {});
  try {
    await rm(o.partPath, { force: true });
    const hasher = new TrailerHasher();
    const fh = await open(o.partPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600).catch(
      fsError(o.partPath, "creating"),
    );
    let status: SnapshotStatus;
    try {
      call = await o.start();
      // Errors reach the loop below; this only keeps a late one (after a cancel) from being unhandled.
      call.on("error", () => {});
      await stream(o, call, fh, hasher, {
        total(total) {
          leafRuns = new LeafRuns(total - 32);
          const checking = snapshotStatus(o.partPath, {
            requireTrailer: true,
            size: total,
            written: (end) => onDisk.until(end),
            trailer: trailerCheck,
            // Half status's default: the pages were just written, so re-reads come from the page
            // cache, and the peak RSS of a save comes from the download plus this check.
            cacheBytes: 8 << 20,
            leafRuns,
          });
          checking.catch(() => {});
          following = { total, status: checking };
        },
        block: (data, at) => leafRuns?.push(data, at),
        written: (end) => onDisk.advance(end),
      });
      const size = hasher.size;
      const { actual, trailer } = hasher.digest();
      if (!hasTrailerSize(size) || trailer === null)
        throw new IncompleteError(
          `the snapshot stream ended after ${size} bytes, which is not 512n+32: it was cut`,
          "take the snapshot again; if it keeps happening, check the member's health and the network",
        );
      if (actual !== trailer)
        throw new IncompleteError(
          `the snapshot's sha256 ${actual} does not match the trailer etcd sent (${trailer})`,
          "take the snapshot again, from another member with --endpoint if it repeats",
        );
      const sha: TrailerCheck = { actual, expected: trailer, match: true };
      trailerKnown(sha);
      // The rest of the check reads the written pages back (from the page cache) while the fsync
      // puts them on disk; nothing is renamed before both are done. Should etcd's announced size
      // have been wrong, the followed check read the wrong extent: the whole file is checked again.
      const synced = fh.sync().catch(fsError(o.partPath, "flushing"));
      let checked: Promise<SnapshotStatus>;
      if (following !== undefined && following.total === size) checked = following.status;
      else {
        await stopFollowing();
        checked = snapshotStatus(o.partPath, {
          requireTrailer: true,
          trailer: sha,
          cacheBytes: 8 << 20,
          leafRuns,
        });
      }
      const [sync, check] = await Promise.allSettled([synced, checked]);
      if (sync.status === "rejected") throw sync.reason;
      if (check.status === "rejected") throw check.reason;
      status = check.value;
    } finally {
      await stopFollowing();
      await fh.close().catch(() => {});
    }
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
    await renameNoReplace(written, finalPath).catch((err) => {
      if (err instanceof BadInputError) throw err;
      return fsError(finalPath, "renaming to")(err);
    });
    made.push(finalPath);
    await rename(metaPart, metadataPath(finalPath)).catch(fsError(metadataPath(finalPath), "renaming to"));
    await syncDir(path.dirname(finalPath));
    return { path: finalPath, metadataPath: metadataPath(finalPath), status, metadata };
  } catch (err) {
    call?.cancel();
    await Promise.all(made.map((f) => rm(f, { force: true }).catch(() => {})));
    throw err;
  }

  /** Ends a followed check that is still waiting for bytes, and waits until it has closed the file. */
  async function stopFollowing(): Promise<void> {
    onDisk.end();
    trailerMissing(new Error("the snapshot stream ended without a matching sha256 trailer"));
    await following?.status.catch(() => {});
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

async function stream(
  o: SaveOptions,
  call: SnapshotStream,
  fh: FileHandle,
  hasher: TrailerHasher,
  events: StreamEvents,
): Promise<void> {
  // Two reused blocks: messages are copied into one while the other is being written, so the
  // stream keeps flowing during a write and no block is allocated per write.
  const blocks = [Buffer.allocUnsafeSlow(WRITE_BLOCK), Buffer.allocUnsafeSlow(WRITE_BLOCK)] as const;
  let current = 0;
  let filled = 0;
  let writing: Promise<unknown> = Promise.resolve();
  let position = 0;
  const flush = async () => {
    await writing;
    if (filled === 0) return;
    const block = blocks[current] as Buffer;
    const length = filled;
    const at = position;
    position += length;
    events.block(block.subarray(0, length), at);
    writing = writeAll(fh, block, length, at).then(
      () => events.written(at + length),
      fsError(o.partPath, "writing"),
    );
    // A rejection is awaited by the next flush; until then it must not count as unhandled.
    writing.catch(() => {});
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
    await writing.catch(() => {});
    if (err instanceof IncompleteError) throw err;
    throw o.streamError(err);
  }
  await flush();
  await writing;
}

async function writeAll(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await fh.write(buf, done, length - done, position + done);
    done += bytesWritten;
  }
}

function fsError(file: string, doing: string) {
  return (err: NodeJS.ErrnoException): never => {
    const why =
      err.code === "ENOSPC"
        ? "no space left on the device"
        : err.code === "EDQUOT"
          ? "disk quota exceeded"
          : err.message;
    throw new IncompleteError(
      `${doing} ${file} failed: ${why}`,
      err.code === "ENOSPC" || err.code === "EDQUOT"
        ? `free space there (the snapshot needs about the etcd database size), or save elsewhere with --dir`
        : "check the directory's permissions and the disk",
    );
  };
}

async function writeSynced(file: string, text: string): Promise<void> {
  const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600).catch(
    fsError(file, "creating"),
  );
  try {
    await fh.writeFile(text).catch(fsError(file, "writing"));
    await fh.sync().catch(fsError(file, "flushing"));
  } finally {
    await fh.close().catch(() => {});
  }
}

/** The rename is durable only once the directory entry is on disk. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
