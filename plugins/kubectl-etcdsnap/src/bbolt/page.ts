import type { Block } from "./blockfile.js";
import {
  BoltError,
  BRANCH_ELEMENT_SIZE,
  BUCKET_HEADER_SIZE,
  LEAF_ELEMENT_SIZE,
  PAGE_HEADER_SIZE,
  PageFlag,
  u64,
} from "./layout.js";

/** A page (with its overflow) as a window [base, end) of a buffer. Inline bucket pages have id -1. */
export interface PageView {
  id: number;
  flags: number;
  count: number;
  overflow: number;
  buf: Uint8Array;
  dv: DataView;
  base: number;
  end: number;
  /** The cached block the page lies in, when a scan pinned it (BoltReader.pinnedPage). */
  block?: Block;
}

/** Where a bucket's tree starts: a root page id, or an inline page inside its parent's leaf. */
export type BucketRef = { root: number; inline: PageView | null };

export function readHeader(
  buf: Uint8Array,
  dv: DataView,
  base: number,
  end: number,
  id: number,
): PageView | string {
  if (end - base < PAGE_HEADER_SIZE) return "page shorter than its header";
  return {
    id,
    flags: dv.getUint16(base + 8, true),
    count: dv.getUint16(base + 10, true),
    overflow: dv.getUint32(base + 12, true),
    buf,
    dv,
    base,
    end,
  };
}

export function headerId(p: PageView): number {
  return u64(p.dv, p.base);
}

/** Checks that the element table and every key/value lie inside the page; returns a problem or null. */
export function validateElements(p: PageView): string | null {
  const isLeaf = p.flags === PageFlag.leaf;
  const elemSize = isLeaf ? LEAF_ELEMENT_SIZE : BRANCH_ELEMENT_SIZE;
  const tableEnd = p.base + PAGE_HEADER_SIZE + p.count * elemSize;
  if (tableEnd > p.end) return `element table (${p.count} elements) overruns the page`;
  const dv = p.dv;
  for (let i = 0, e = p.base + PAGE_HEADER_SIZE; i < p.count; i++, e += elemSize) {
    const pos = dv.getUint32(e + (isLeaf ? 4 : 0), true);
    const ksize = dv.getUint32(e + (isLeaf ? 8 : 4), true);
    const vsize = isLeaf ? dv.getUint32(e + 12, true) : 0;
    if (e + pos + ksize + vsize > p.end) return `element ${i}: key/value overruns the page`;
  }
  return null;
}

// Element accessors; callers validate the page first.
export function leafFlags(p: PageView, i: number): number {
  return p.dv.getUint32(p.base + PAGE_HEADER_SIZE + i * LEAF_ELEMENT_SIZE, true);
}
export function leafKeyOff(p: PageView, i: number): number {
  const e = p.base + PAGE_HEADER_SIZE + i * LEAF_ELEMENT_SIZE;
  return e + p.dv.getUint32(e + 4, true);
}
export function leafKeyLen(p: PageView, i: number): number {
  return p.dv.getUint32(p.base + PAGE_HEADER_SIZE + i * LEAF_ELEMENT_SIZE + 8, true);
}
export function leafValueLen(p: PageView, i: number): number {
  return p.dv.getUint32(p.base + PAGE_HEADER_SIZE + i * LEAF_ELEMENT_SIZE + 12, true);
}
export function branchKeyOff(p: PageView, i: number): number {
  const e = p.base + PAGE_HEADER_SIZE + i * BRANCH_ELEMENT_SIZE;
  return e + p.dv.getUint32(e, true);
}
export function branchKeyLen(p: PageView, i: number): number {
  return p.dv.getUint32(p.base + PAGE_HEADER_SIZE + i * BRANCH_ELEMENT_SIZE + 4, true);
}
export function branchChild(p: PageView, i: number): number {
  return u64(p.dv, p.base + PAGE_HEADER_SIZE + i * BRANCH_ELEMENT_SIZE + 8);
}

/** Decodes a bucket entry's value (InBucket header, then the inline page when root is 0). */
export function bucketRef(buf: Uint8Array, dv: DataView, off: number, len: number): BucketRef {
  if (len < BUCKET_HEADER_SIZE) throw new BoltError("CORRUPT", `bucket value of ${len} bytes is too short`);
  const root = u64(dv, off);
  if (root !== 0) return { root, inline: null };
  const page = readHeader(buf, dv, off + BUCKET_HEADER_SIZE, off + len, -1);
  if (typeof page === "string") throw new BoltError("CORRUPT", `inline bucket: ${page}`);
  return { root: 0, inline: page };
}

export function compareBytes(
  a: Uint8Array,
  aOff: number,
  aLen: number,
  b: Uint8Array,
  bOff: number,
  bLen: number,
): number {
  const n = Math.min(aLen, bLen);
  for (let i = 0; i < n; i++) {
    const d = (a[aOff + i] as number) - (b[bOff + i] as number);
    if (d !== 0) return d;
  }
  return aLen - bLen;
}
