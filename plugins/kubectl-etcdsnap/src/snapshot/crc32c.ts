// CRC-32C (Castagnoli), the hash etcdutl's `snapshot status` prints. Node's zlib.crc32 is the IEEE
// polynomial, so: @node-rs/crc32 (the CPU's crc32 instruction, ~4 GB/s) where its native addon
// loads, and elsewhere (the single-executable release loads no code from disk) the table-driven
// JavaScript below, slicing-by-16 over 32-bit words, ~1.3 GB/s.

import { createRequire } from "node:module";
import os from "node:os";

type NativeCrc32c = (input: Uint8Array, initialState?: number) => number;

function loadNative(): NativeCrc32c | undefined {
  // node:sea is looked up here, not imported: a startup snapshot's builder warns about it.
  if (process.env.KUBEMEND_CRC32C === "js" || process.getBuiltinModule("node:sea").isSea()) return undefined;
  try {
    // A require esbuild does not follow, so the bundles keep the addon outside and fall back.
    const load = createRequire(import.meta.url);
    const { crc32c } = load("@node-rs/crc32") as { crc32c: NativeCrc32c };
    return crc32c(Buffer.from("123456789")) === 0xe3069283 ? crc32c : undefined;
  } catch {
    return undefined;
  }
}

type Update = (crc: number, buf: Uint8Array, off: number, len: number) => number;
let update: Update | undefined;

/**
 * The addon is looked for on first use, at run time: the environment is read then, and no addon
 * is loaded while a startup snapshot is built.
 */
function implementation(): Update {
  if (update === undefined) {
    const native = loadNative();
    update = native
      ? (crc, buf, off, len) => (len === 0 ? crc >>> 0 : native(buf.subarray(off, off + len), crc) >>> 0)
      : crc32cUpdateJs;
  }
  return update;
}

/** "native" when the addon is in use, "js" otherwise. */
export function crc32cImplementation(): "native" | "js" {
  return implementation() === crc32cUpdateJs ? "js" : "native";
}

const POLY = 0x82f63b78;
const T = new Int32Array(16 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = T[n] as number;
  for (let s = 1; s < 16; s++) {
    c = (T[c & 0xff] as number) ^ (c >>> 8);
    T[s * 256 + n] = c;
  }
}

const LITTLE_ENDIAN = os.endianness() === "LE";
let wordsOf: ArrayBufferLike | undefined;
let words: Int32Array<ArrayBufferLike> = new Int32Array(0);

/** The JavaScript implementation (exported for tests; crc32cUpdate picks the fastest). */
export function crc32cUpdateJs(crc: number, buf: Uint8Array, off: number, len: number): number {
  const t = T;
  let c = ~crc;
  let i = off;
  const end = off + len;
  // Whole words are read through an Int32Array over the same memory: 4 loads instead of 16.
  const base = buf.byteOffset;
  while (i < end && ((base + i) & 3) !== 0) c = (t[(c ^ (buf[i++] as number)) & 0xff] as number) ^ (c >>> 8);
  const blocks = LITTLE_ENDIAN ? (end - i) >>> 4 : 0;
  if (blocks > 0) {
    if (wordsOf !== buf.buffer) {
      wordsOf = buf.buffer;
      words = new Int32Array(buf.buffer, 0, buf.buffer.byteLength >>> 2);
    }
    const w = words;
    let j = (base + i) / 4;
    const stop = j + blocks * 4;
    for (; j < stop; j += 4) {
      const a = c ^ (w[j] as number);
      const b = w[j + 1] as number;
      const d = w[j + 2] as number;
      const e = w[j + 3] as number;
      c =
        (t[3840 + (a & 0xff)] as number) ^
        (t[3584 + ((a >>> 8) & 0xff)] as number) ^
        (t[3328 + ((a >>> 16) & 0xff)] as number) ^
        (t[3072 + (a >>> 24)] as number) ^
        (t[2816 + (b & 0xff)] as number) ^
        (t[2560 + ((b >>> 8) & 0xff)] as number) ^
        (t[2304 + ((b >>> 16) & 0xff)] as number) ^
        (t[2048 + (b >>> 24)] as number) ^
        (t[1792 + (d & 0xff)] as number) ^
        (t[1536 + ((d >>> 8) & 0xff)] as number) ^
        (t[1280 + ((d >>> 16) & 0xff)] as number) ^
        (t[1024 + (d >>> 24)] as number) ^
        (t[768 + (e & 0xff)] as number) ^
        (t[512 + ((e >>> 8) & 0xff)] as number) ^
        (t[256 + ((e >>> 16) & 0xff)] as number) ^
        (t[e >>> 24] as number);
    }
    i += blocks * 16;
  }
  while (i < end) c = (t[(c ^ (buf[i++] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

/** Feeds buf[off, off+len) into a running CRC (start with 0); returns the new CRC as uint32. */
export function crc32cUpdate(crc: number, buf: Uint8Array, off: number, len: number): number {
  return implementation()(crc, buf, off, len);
}

export function crc32c(buf: Uint8Array): number {
  return crc32cUpdate(0, buf, 0, buf.length);
}

/** a·b modulo the CRC polynomial, both in the reflected bit order the CRC itself uses. */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) modulo the polynomial, for shifts of up to 2^61 bytes. */
const X2N = new Uint32Array(64);
X2N[0] = 0x40000000;
for (let k = 1; k < 64; k++) X2N[k] = multModP(X2N[k - 1] as number, X2N[k - 1] as number);

/**
 * What crc32cCombine multiplies crc(A) by to append `len` bytes: x^(8·len) mod P. Worth keeping
 * when many CRCs are combined: the product alone is cheap, computing it is ~20 times dearer.
 */
export function crc32cShift(len: number): number {
  let x = 0x80000000; // x^0
  let k = 3; // 8·len = len·2^3
  for (let n = len; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) x = multModP(X2N[k] as number, x);
  }
  return x;
}

/**
 * The CRC of A followed by B, from crc(A), crc(B) and B's length alone: crc(A) shifted over
 * 8·len(B) zero bits (a product with x^(8·len) mod P), then xor crc(B); the pre- and
 * post-inversion cancel out. This lets a CRC in key order be assembled from CRCs of leaf pages
 * computed earlier in file order.
 */
export function crc32cCombine(crcA: number, crcB: number, lenB: number): number {
  return crc32cCombineShifted(crcA, crcB, crc32cShift(lenB));
}

/** crc32cCombine with B's crc32cShift computed beforehand. */
export function crc32cCombineShifted(crcA: number, crcB: number, shiftB: number): number {
  return (multModP(shiftB, crcA) ^ crcB) >>> 0;
}

/** CRCs of byte ranges of a file that are already known (LeafRuns computes them while it downloads). */
export interface KnownRuns {
  /** The file offset of buf[0], for a buffer read from the file; undefined for any other buffer. */
  offsetOf(buf: Uint8Array): number | undefined;
  /** The CRC of `crc`'s bytes followed by the file's bytes [offset, offset+len), when those are known. */
  append(crc: number, offset: number, len: number): number | undefined;
}

/**
 * A running CRC over byte ranges fed in order. Ranges that continue the previous one in the same
 * buffer (a bbolt leaf page stores each key right before its value, element after element) are
 * joined, so a page costs one call instead of two per entry.
 */
export class Crc32cRuns {
  private crc = 0;
  private buf: Uint8Array | undefined;
  private start = 0;
  private end = 0;

  /** With `known`, a run whose CRC is already known is combined in instead of read again. */
  constructor(private readonly known?: KnownRuns) {}

  add(buf: Uint8Array, off: number, len: number): void {
    if (buf === this.buf && off === this.end) {
      this.end += len;
      return;
    }
    this.flush();
    this.buf = buf;
    this.start = off;
    this.end = off + len;
  }

  /** The CRC of everything added so far. */
  value(): number {
    this.flush();
    return this.crc;
  }

  /** Feeds the pending range in: call before the views given to add() stop being valid. */
  flush(): void {
    const buf = this.buf;
    const len = this.end - this.start;
    this.buf = undefined;
    if (buf === undefined || len === 0) return;
    const at = this.known?.offsetOf(buf);
    const known = at === undefined ? undefined : this.known?.append(this.crc, at + this.start, len);
    this.crc = known ?? crc32cUpdate(this.crc, buf, this.start, len);
  }
}
