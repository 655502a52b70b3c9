// CRC-32C (Castagnoli), the hash etcdutl's `snapshot status` prints. Node's zlib.crc32 is the IEEE
// polynomial, so: @node-rs/crc32 (the CPU's crc32 instruction, ~4 GB/s) where its native addon
// loads, and where it cannot (the single-executable release has no node_modules beside it) the
// table-driven JavaScript below, slicing-by-16 over 32-bit words, ~1.3 GB/s.

import { createRequire } from "node:module";
import os from "node:os";

type NativeCrc32c = (input: Uint8Array, initialState?: number) => number;

function loadNative(): NativeCrc32c | undefined {
  if (process.env.KUBEMEND_CRC32C === "js") return undefined;
  try {
    // A require esbuild does not follow, so the bundles keep the addon outside and fall back.
    const load = createRequire(import.meta.url);
    const { crc32c } = load("@node-rs/crc32") as { crc32c: NativeCrc32c };
    return crc32c(Buffer.from("123456789")) === 0xe3069283 ? crc32c : undefined;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** "native" when the addon is in use, "js" otherwise. */
export const crc32cImplementation: "native" | "js" = native ? "native" : "js";

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
export const crc32cUpdate: (crc: number, buf: Uint8Array, off: number, len: number) => number = native
  ? (crc, buf, off, len) => (len === 0 ? crc >>> 0 : native(buf.subarray(off, off + len), crc) >>> 0)
  : crc32cUpdateJs;

export function crc32c(buf: Uint8Array): number {
  return crc32cUpdate(0, buf, 0, buf.length);
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
    if (this.buf !== undefined && this.end > this.start)
      this.crc = crc32cUpdate(this.crc, this.buf, this.start, this.end - this.start);
    this.buf = undefined;
  }
}
