// `etcdutl snapshot status` computed without etcdutl, plus integrity checks it does not make.
// etcdutl's numbers (etcdutl/snapshot/v3_snapshot.go, Status):
//   hash      CRC-32C over, for each top-level bucket in key order, its name, then each of its
//             entries' key and value in key order (a nested bucket entry contributes its key only)
//   revision  main revision of the last (largest) key in the "key" bucket
//   totalKey  3.6: live keys (puts minus deletes, by user key, over the "key" bucket);
//             3.4/3.5: the number of entries in all top-level buckets
//   totalSize the data size (high water mark × page size), not the file size
//   version   3.6: the "storageVersion" in the "meta" bucket, when it parses as semver

import { stat } from "node:fs/promises";
import {
  type BoltCheckResult,
  BoltError,
  type BoltErrorCode,
  type BoltReader,
  type OpenOptions,
  openBolt,
} from "../bbolt/reader.js";
import { scanKeyValue, scannedKeyEnd, scannedKeyStart } from "../mvcc/keyvalue.js";
import { LiveKeys } from "../mvcc/live-keys.js";
import { isTombstone, revisionMain } from "../mvcc/revision.js";
import { Crc32cRuns } from "./crc32c.js";
import type { LeafRuns } from "./leaf-runs.js";
import {
  checkTrailerFile,
  hashBlocks,
  hasTrailerSize,
  type TrailerCheck,
  WORKER_THRESHOLD,
} from "./trailer.js";

export interface SnapshotStatus {
  hash: number;
  revision: number;
  /** etcdutl 3.6's totalKey: the number of live keys. */
  totalKey: number;
  /** etcdutl 3.5's and etcdctl 3.4's totalKey: entries in all top-level buckets. */
  totalEntries: number;
  totalSize: number;
  /** Storage version ("3.6.0"); "" for snapshots from etcd before 3.6. */
  version: string;
  fileSize: number;
  integrity: SnapshotIntegrity;
}

export interface SnapshotIntegrity {
  /** True when the trailer (if any, or if required) matches and the data passes every check. */
  ok: boolean;
  /** The size is 512n + 32, so the file ends with a sha256 trailer (etcdctl snapshot save output). */
  hasTrailer: boolean;
  /** Present when hasTrailer. */
  sha256?: TrailerCheck;
  /** Set when there are bytes that are neither bbolt pages nor a trailer (a cut or padded file). */
  strayBytes?: number;
  /** Set when the file cannot be opened as bbolt at all (then the numbers above are zero). */
  boltError?: { code: BoltErrorCode; message: string };
  /** bbolt structure check; absent when boltError is set. */
  bolt?: BoltCheckResult;
  /** Entries etcd itself could not read (etcdutl 3.6 fails on the first); the first 100. */
  mvccProblems: string[];
  mvccProblemCount: number;
}

export interface StatusOptions extends OpenOptions {
  /** Fail integrity when there is no sha256 trailer (for files that should come from snapshot save). */
  requireTrailer?: boolean;
  /** The trailer check made while the file is written (save hashes as it streams). */
  trailer?: TrailerCheck | Promise<TrailerCheck>;
  /** Files at least this big are hashed on a worker from the scan's blocks (default WORKER_THRESHOLD). */
  workerThreshold?: number;
  /** CRCs of leaf pages computed while the file was written (save), combined into the hash. */
  leafRuns?: Pick<LeafRuns, "append">;
}

const MAX_MVCC_PROBLEMS = 100;
const KEY_BUCKET = Buffer.from("key");
const META_BUCKET = Buffer.from("meta");
const STORAGE_VERSION = Buffer.from("storageVersion");
const SEMVER = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** What `etcdutl snapshot status -w json` prints for this status, for the given etcdutl version. */
export function etcdutlJson(s: SnapshotStatus, etcdutl: "3.4" | "3.5" | "3.6") {
  const base = { hash: s.hash, revision: s.revision };
  if (etcdutl === "3.6") return { ...base, totalKey: s.totalKey, totalSize: s.totalSize, version: s.version };
  return { ...base, totalKey: s.totalEntries, totalSize: s.totalSize };
}

export async function snapshotStatus(path: string, options: StatusOptions = {}): Promise<SnapshotStatus> {
  const { requireTrailer, trailer: known, workerThreshold = WORKER_THRESHOLD, leafRuns, ...open } = options;
  const fileSize = open.size ?? (await sizeOf(path));
  const hasTrailer = hasTrailerSize(fileSize);
  // A big file's sha256 is computed on a worker from the blocks the scan reads (one read, not two).
  const alongside = hasTrailer && !known && fileSize >= workerThreshold && open.written === undefined;
  // 1 MiB blocks and a 16 MiB cache: about 25 MB less peak RSS than the 4/32 MiB defaults, at
  // the same speed on a 1 GiB snapshot (the page cache serves the re-reads).
  const reader = await openBolt(path, {
    blockSize: 1 << 20,
    cacheBytes: 16 << 20,
    ...open,
    ...(alongside && { shared: true }),
  }).catch((err: unknown) => {
    if (err instanceof BoltError) return err;
    throw err;
  });
  const hashing = alongside && !(reader instanceof BoltError) ? hashBlocks(reader.file, fileSize) : null;
  const trailer = !hasTrailer
    ? Promise.resolve(null)
    : known
      ? Promise.resolve(known)
      : hashing === null
        ? (open.written?.(fileSize) ?? Promise.resolve()).then(() => checkTrailerFile(path))
        : undefined;
  // Awaited only after the scan; should the scan throw first, its rejection is not unhandled.
  trailer?.catch(() => {});
  const status: SnapshotStatus = {
    hash: 0,
    revision: 0,
    totalKey: 0,
    totalEntries: 0,
    totalSize: 0,
    version: "",
    fileSize,
    integrity: { ok: false, hasTrailer, mvccProblems: [], mvccProblemCount: 0 },
  };
  const integrity = status.integrity;
  let hashed: Promise<TrailerCheck | null> | undefined;
  if (reader instanceof BoltError) {
    integrity.boltError = { code: reader.code, message: reader.message };
  } else {
    try {
      integrity.bolt = await scanStatus(reader, status, leafRuns);
    } catch (err) {
      if (!(err instanceof BoltError)) throw err;
      integrity.boltError = { code: err.code, message: err.message };
    } finally {
      hashed = hashing?.finish();
      // The blocks the scan did not read are read for the worker before the file is closed.
      await hashed?.catch(() => {});
      await reader.close();
    }
    const extra = fileSize - status.totalSize - (hasTrailer ? 32 : 0);
    if (extra !== 0 && (hasTrailer || extra % reader.pageSize !== 0)) integrity.strayBytes = extra;
  }
  const sha = await (trailer ?? hashed ?? null);
  if (sha !== null) integrity.sha256 = sha;
  integrity.ok =
    integrity.boltError === undefined &&
    integrity.bolt?.ok === true &&
    integrity.mvccProblemCount === 0 &&
    integrity.strayBytes === undefined &&
    (hasTrailer ? sha?.match === true : requireTrailer !== true);
  return status;
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path)).size;
}

async function scanStatus(
  reader: BoltReader,
  status: SnapshotStatus,
  leafRuns: StatusOptions["leafRuns"],
): Promise<BoltCheckResult> {
  const integrity = status.integrity;
  const live = new LiveKeys();
  // Holds on to views past the visitor call, until the end of their leaf page (scan's leafDone).
  const crc = new Crc32cRuns(
    leafRuns && {
      offsetOf: (buf) => reader.file.offsetOf(buf),
      append: (crc, at, len) => leafRuns.append(crc, at, len),
    },
  );
  let inKey = false;
  let inMeta = false;
  let entries = 0;
  let revision = 0;
  let storageVersion: string | undefined;
  const mvccProblem = (msg: string) => {
    if (integrity.mvccProblemCount++ < MAX_MVCC_PROBLEMS) integrity.mvccProblems.push(msg);
  };

  const result = await reader.scan(
    (depth, buf, kOff, kLen, vOff, vLen, isBucket) => {
      if (depth === 0) {
        if (!isBucket) {
          mvccProblem(
            `top-level key ${Buffer.from(buf.subarray(kOff, kOff + kLen)).toString("hex")} is not a bucket`,
          );
          inKey = inMeta = false;
          return;
        }
        crc.add(buf, kOff, kLen);
        inKey = equals(buf, kOff, kLen, KEY_BUCKET);
        inMeta = equals(buf, kOff, kLen, META_BUCKET);
        return;
      }
      if (depth !== 1) return;
      entries++;
      crc.add(buf, kOff, kLen);
      if (!isBucket) crc.add(buf, vOff, vLen);
      if (inMeta && !isBucket && equals(buf, kOff, kLen, STORAGE_VERSION)) {
        storageVersion = Buffer.from(buf.subarray(vOff, vOff + vLen)).toString("latin1");
      }
      if (!inKey) return;
      const main = revisionMain(buf, kOff, kLen);
      if (main < 0) {
        mvccProblem(`invalid revision key ${Buffer.from(buf.subarray(kOff, kOff + kLen)).toString("hex")}`);
        return;
      }
      revision = main;
      const err = isBucket ? "nested bucket in the key bucket" : scanKeyValue(buf, vOff, vLen);
      if (err !== null) {
        mvccProblem(`revision ${main}: cannot decode mvccpb.KeyValue: ${err}`);
        return;
      }
      if (isTombstone(buf, kOff, kLen)) live.delete(buf, scannedKeyStart(), scannedKeyEnd());
      else live.put(buf, scannedKeyStart(), scannedKeyEnd());
    },
    () => crc.flush(),
  );

  status.hash = crc.value();
  status.revision = revision;
  status.totalKey = live.size;
  status.totalEntries = entries;
  status.totalSize = reader.dataSize;
  const m = storageVersion === undefined ? null : SEMVER.exec(storageVersion);
  if (m !== null)
    status.version = `${+(m[1] ?? 0)}.${+(m[2] ?? 0)}.${+(m[3] ?? 0)}${m[4] ?? ""}${m[5] ?? ""}`;
  return result;
}

function equals(buf: Uint8Array, off: number, len: number, want: Uint8Array): boolean {
  if (len !== want.length) return false;
  for (let i = 0; i < len; i++) if (buf[off + i] !== want[i]) return false;
  return true;
}
