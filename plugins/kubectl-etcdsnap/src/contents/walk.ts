// One pass over a snapshot's buckets: every revision of the "key" bucket (in revision order, as
// bbolt stores it) and the entries of the small bookkeeping buckets. Values are handed over as
// views valid only during the call, so nothing of them is kept unless a caller copies it.

import { BoltError, type BoltReader, openBolt } from "../bbolt/reader.js";
import {
  scanKeyValue,
  scannedKeyEnd,
  scannedKeyStart,
  scannedValueEnd,
  scannedValueStart,
} from "../mvcc/keyvalue.js";
import { isTombstone, revisionMain } from "../mvcc/revision.js";
import type { RevisionPairs } from "./pairs.js";

export interface RevisionVisitor {
  /**
   * A put (tombstone false) or a delete of `key` (latin1, so any bytes round-trip) at main revision
   * `main`; for a put, buf[valueStart, valueEnd) is the value.
   */
  revision(
    key: string,
    main: number,
    tombstone: boolean,
    buf: Uint8Array,
    valueStart: number,
    valueEnd: number,
  ): void;
  /** An entry of another top-level bucket ("meta", "members", "cluster"...), copied. */
  other?(bucket: string, key: Buffer, value: Buffer): void;
}

export interface WalkResult {
  /** Entries of the key bucket that etcd could not read (skipped). */
  problems: number;
  /** Main revision of the last entry of the key bucket. */
  revision: number;
}

const KEY_BUCKET = "key";

export class SnapshotError extends Error {}

/** Opens a snapshot, walks it and closes it; a file that is not bbolt is a SnapshotError. */
export async function walkFile(path: string, visitor: RevisionVisitor): Promise<WalkResult> {
  let reader: BoltReader;
  try {
    reader = await openBolt(path);
  } catch (err) {
    if (err instanceof BoltError) throw new SnapshotError(`${path}: ${err.message}`);
    throw err;
  }
  try {
    return await walk(reader, visitor);
  } catch (err) {
    if (err instanceof BoltError) throw new SnapshotError(`${path}: ${err.message}`);
    throw err;
  } finally {
    await reader.close();
  }
}

export async function walk(reader: BoltReader, visitor: RevisionVisitor): Promise<WalkResult> {
  let bucket = "";
  let problems = 0;
  let revision = 0;
  let lastBuf: Uint8Array | undefined;
  let text: Buffer = Buffer.alloc(0);
  await reader.scan((depth, buf, kOff, kLen, vOff, vLen, isBucket) => {
    if (depth === 0) {
      bucket = isBucket ? Buffer.from(buf.subarray(kOff, kOff + kLen)).toString("latin1") : "";
      return;
    }
    if (depth !== 1 || isBucket) return;
    if (bucket !== KEY_BUCKET) {
      visitor.other?.(
        bucket,
        Buffer.from(buf.subarray(kOff, kOff + kLen)),
        Buffer.from(buf.subarray(vOff, vOff + vLen)),
      );
      return;
    }
    const main = revisionMain(buf, kOff, kLen);
    if (main < 0 || scanKeyValue(buf, vOff, vLen) !== null) {
      problems++;
      return;
    }
    revision = main;
    if (buf !== lastBuf) {
      lastBuf = buf;
      text = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const key = text.toString("latin1", scannedKeyStart(), scannedKeyEnd());
    visitor.revision(key, main, isTombstone(buf, kOff, kLen), buf, scannedValueStart(), scannedValueEnd());
  });
  return { problems, revision };
}

/** Records the mod revision of every live key of the snapshot as side `side` of `pairs`. */
export async function recordRevisions(path: string, pairs: RevisionPairs, side: "a" | "b"): Promise<number> {
  const { revision } = await walkFile(path, {
    revision(key, main, tombstone) {
      pairs.set(side, key, tombstone ? 0 : main);
    },
  });
  return revision;
}
