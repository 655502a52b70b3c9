// On-disk layout of a bbolt (go.etcd.io/bbolt) file, as far as a reader needs it. All integers are
// little-endian (bbolt writes native order and every platform etcd ships on is little-endian).

export const MAGIC = 0xed0cdaed;
export const VERSION = 2;

export const PAGE_HEADER_SIZE = 16;
export const BRANCH_ELEMENT_SIZE = 16;
export const LEAF_ELEMENT_SIZE = 16;
/** A bucket value starts with {root pgid u64, sequence u64}; an inline bucket's page follows. */
export const BUCKET_HEADER_SIZE = 16;

export const PageFlag = {
  branch: 0x01,
  leaf: 0x02,
  meta: 0x04,
  freelist: 0x10,
} as const;

/** A leaf element whose value is a bucket, not a key's value (bbolt's bucketLeafFlag). */
export const BUCKET_LEAF_FLAG = 0x01;

/** Meta starts right after the page header; its checksum covers the 56 bytes before the checksum. */
const META_OFFSET = PAGE_HEADER_SIZE;
const META_CHECKSUMMED = 56;
export const META_SIZE = 64;

/** Freelist pgid meaning "freelist not persisted" (etcd sets NoFreelistSync on Linux). */
export const NO_FREELIST = -1;

export type BoltErrorCode =
  | "NOT_BOLT"
  | "VERSION_MISMATCH"
  | "CHECKSUM"
  | "TRUNCATED"
  | "CORRUPT"
  | "NOT_FOUND"
  | "CLOSED";

export class BoltError extends Error {
  override name = "BoltError";
  constructor(
    readonly code: BoltErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface BoltMeta {
  /** Which meta page (0 or 1) this came from. */
  page: 0 | 1;
  pageSize: number;
  flags: number;
  /** Root bucket's root page. */
  root: number;
  /** Freelist page, or NO_FREELIST. */
  freelist: number;
  /** High water mark: the number of pages in use; the data ends at pgid * pageSize. */
  pgid: number;
  txid: bigint;
  checksum: bigint;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const U64 = 0xffffffffffffffffn;

export function fnv64a(bytes: Uint8Array): bigint {
  let h = FNV_OFFSET;
  for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & U64;
  return h;
}

/** Reads a u64 as a number; values past 2^53 come out imprecise but still larger than any real page id. */
export function u64(dv: DataView, off: number): number {
  return dv.getUint32(off + 4, true) * 0x1_0000_0000 + dv.getUint32(off, true);
}

export type MetaResult = { ok: true; meta: BoltMeta } | { ok: false; error: BoltError };

/** Parses and validates the meta page at `off` in `buf` (the same checks as bbolt's Meta.Validate). */
export function parseMeta(buf: Uint8Array, off: number, page: 0 | 1): MetaResult {
  const have = buf.length - off;
  const m = META_OFFSET;
  const magicOk =
    have >= m + 4 && new DataView(buf.buffer, buf.byteOffset + off + m, 4).getUint32(0, true) === MAGIC;
  if (!magicOk) {
    return {
      ok: false,
      error: new BoltError("NOT_BOLT", `meta page ${page}: no bbolt magic, not a bbolt file`),
    };
  }
  if (have < m + META_SIZE) {
    return { ok: false, error: new BoltError("TRUNCATED", `meta page ${page}: file too short`) };
  }
  const dv = new DataView(buf.buffer, buf.byteOffset + off, m + META_SIZE);
  const version = dv.getUint32(m + 4, true);
  if (version !== VERSION) {
    return {
      ok: false,
      error: new BoltError(
        "VERSION_MISMATCH",
        `meta page ${page}: bbolt version ${version}, want ${VERSION}`,
      ),
    };
  }
  const checksum = dv.getBigUint64(m + 56, true);
  const sum = fnv64a(buf.subarray(off + m, off + m + META_CHECKSUMMED));
  if (checksum !== sum) {
    return { ok: false, error: new BoltError("CHECKSUM", `meta page ${page}: checksum mismatch`) };
  }
  const freelistLo = dv.getUint32(m + 32, true);
  const freelistHi = dv.getUint32(m + 36, true);
  return {
    ok: true,
    meta: {
      page,
      pageSize: dv.getUint32(m + 8, true),
      flags: dv.getUint32(m + 12, true),
      root: u64(dv, m + 16),
      freelist: freelistLo === 0xffffffff && freelistHi === 0xffffffff ? NO_FREELIST : u64(dv, m + 32),
      pgid: u64(dv, m + 40),
      txid: dv.getBigUint64(m + 48, true),
      checksum,
    },
  };
}

export function pageTypeName(flags: number): string {
  switch (flags) {
    case PageFlag.branch:
      return "branch";
    case PageFlag.leaf:
      return "leaf";
    case PageFlag.meta:
      return "meta";
    case PageFlag.freelist:
      return "freelist";
    default:
      return `unknown<${flags.toString(16).padStart(2, "0")}>`;
  }
}
