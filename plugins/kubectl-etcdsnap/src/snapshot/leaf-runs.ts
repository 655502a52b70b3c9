// The CRC-32C of every leaf page's keys and values, computed in file order while a snapshot is
// downloaded. etcdutl's hash runs over the entries in key order, which only a walk of the tree
// gives, and the tree's root pages come last in the file; but CRCs combine (crc32cCombine), so the
// walk after the download combines these instead of reading the values a second time.

import { PAGE_HEADER_SIZE, PageFlag, parseMeta } from "../bbolt/layout.js";
import {
  headerId,
  leafFlags,
  leafKeyLen,
  leafKeyOff,
  leafValueLen,
  type PageView,
  readHeader,
  validateElements,
} from "../bbolt/page.js";
import { crc32cCombineShifted, crc32cShift, crc32cUpdate } from "./crc32c.js";

/** A leaf page and its overflow bigger than this is left to the walk (no copy of it is kept). */
const MAX_SPAN = 4 << 20;

/**
 * Feed it the snapshot's bytes in order, in chunks that start on page boundaries. Any page it cannot
 * make sense of (free pages hold stale headers, a corrupt file holds anything) is simply not known;
 * a CRC it does give is always that of the bytes at that offset.
 */
export class LeafRuns {
  private pageSize = 0;
  private disabled = false;
  /** Offset of the next page header to read. */
  private next = 0;
  /** Per page id: where its run starts in the page, its length (0: unknown) and CRC. */
  private start = new Uint32Array(0);
  private length = new Uint32Array(0);
  private crcs = new Uint32Array(0);
  private shifts = new Uint32Array(0);
  /** A leaf page whose bytes straddle chunks, gathered until complete. */
  private carry: { page: number; buf: Buffer; filled: number } | undefined;
  /** Runs combined in rather than read (crc calls that found one). */
  used = 0;

  /** `dataSize`: the snapshot's bytes without the sha256 trailer. */
  constructor(private readonly dataSize: number) {}

  push(chunk: Uint8Array, at: number): void {
    if (this.disabled) return;
    try {
      this.pages(chunk, at);
    } catch {
      // Whatever a hostile stream makes of the parser, the save must not fail here: the check
      // after the stream hashes whatever is not known, and judges the file on its own.
      this.disabled = true;
      this.length = new Uint32Array(0);
    }
  }

  private pages(chunk: Uint8Array, at: number): void {
    if (this.pageSize === 0 && !this.begin(chunk, at)) return;
    if (at % this.pageSize !== 0) {
      this.disabled = true;
      return;
    }
    const end = Math.min(at + chunk.length, this.dataSize);
    const carry = this.carry;
    if (carry !== undefined) {
      const from = carry.page * this.pageSize + carry.filled - at;
      const n = Math.min(carry.buf.length - carry.filled, end - at - from);
      if (from < 0 || n <= 0) {
        this.carry = undefined;
      } else {
        carry.buf.set(chunk.subarray(from, from + n), carry.filled);
        carry.filled += n;
        if (carry.filled === carry.buf.length) {
          this.carry = undefined;
          const p = readHeader(
            carry.buf,
            new DataView(carry.buf.buffer, carry.buf.byteOffset, carry.buf.length),
            0,
            carry.buf.length,
            carry.page,
          );
          if (typeof p !== "string") this.leaf(p);
        }
      }
    }
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (this.next + PAGE_HEADER_SIZE <= end) {
      const o = this.next - at;
      const id = this.next / this.pageSize;
      const p = readHeader(chunk, dv, o, chunk.length, id);
      if (typeof p === "string") break;
      const span = (p.overflow + 1) * this.pageSize;
      if (headerId(p) !== id || this.next + span > this.dataSize) {
        // A stale or damaged header: its overflow count means nothing; go on at the next page.
        this.next += this.pageSize;
        continue;
      }
      if (p.flags === PageFlag.leaf && span <= MAX_SPAN) {
        if (o + span <= chunk.length) {
          p.end = o + span;
          this.leaf(p);
        } else {
          const buf = Buffer.allocUnsafe(span);
          buf.set(chunk.subarray(o, end - at));
          this.carry = { page: id, buf, filled: end - at - o };
        }
      }
      this.next += span;
    }
  }

  /**
   * The CRC of `crc`'s bytes followed by the file's bytes [offset, offset+len), when those are a
   * leaf's run; else undefined.
   */
  append(crc: number, offset: number, len: number): number | undefined {
    if (this.pageSize === 0) return undefined;
    const id = Math.floor(offset / this.pageSize);
    if (id >= this.length.length || this.length[id] !== len || this.start[id] !== offset - id * this.pageSize)
      return undefined;
    this.used++;
    return crc32cCombineShifted(crc, this.crcs[id] as number, this.shifts[id] as number);
  }

  private begin(chunk: Uint8Array, at: number): boolean {
    const meta = at === 0 ? parseMeta(chunk, 0, 0) : undefined;
    if (meta === undefined || !meta.ok) {
      this.disabled = true;
      return false;
    }
    this.pageSize = meta.meta.pageSize;
    return true;
  }

  /** Room for page `id`; grown as pages arrive, so a wrong announced size costs no memory. */
  private reserve(id: number): void {
    if (id < this.length.length) return;
    // Doubling, but no further than the announced size's page count when that is right.
    const announced = Math.ceil(this.dataSize / this.pageSize);
    const n = Math.max(id + 1, Math.min(Math.max(1024, this.length.length * 2), announced));
    const grow = (a: Uint32Array) => {
      const b = new Uint32Array(n);
      b.set(a);
      return b;
    };
    this.start = grow(this.start);
    this.length = grow(this.length);
    this.crcs = grow(this.crcs);
    this.shifts = grow(this.shifts);
  }

  /**
   * A leaf whose keys and values lie back to back in element order (how bbolt writes them) is one
   * run, as the status scan feeds it; anything else (a nested bucket, a gap) is left unknown.
   */
  private leaf(p: PageView): void {
    if (p.count === 0 || validateElements(p) !== null) return;
    const first = leafKeyOff(p, 0);
    let end = first;
    for (let i = 0; i < p.count; i++) {
      if (leafFlags(p, i) !== 0 || leafKeyOff(p, i) !== end) return;
      end += leafKeyLen(p, i) + leafValueLen(p, i);
    }
    this.reserve(p.id);
    this.start[p.id] = first - p.base;
    this.length[p.id] = end - first;
    this.crcs[p.id] = crc32cUpdate(0, p.buf, first, end - first);
    // Computed here, during the download, so the walk after it only multiplies.
    this.shifts[p.id] = crc32cShift(end - first);
  }
}
