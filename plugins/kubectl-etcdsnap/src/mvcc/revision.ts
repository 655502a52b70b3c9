// etcd's "key" bucket is keyed by revision, not by user key: 8-byte big-endian main revision, '_',
// 8-byte big-endian sub revision, and a trailing 't' for a tombstone (a delete).

export const REVISION_BYTES = 17;
export const TOMBSTONE_REVISION_BYTES = 18;

export class MvccError extends Error {
  override name = "MvccError";
}

export interface Revision {
  main: number;
  sub: number;
  tombstone: boolean;
}

/**
 * The main revision of the revision key at buf[off, off+len), or a negative number when the key is
 * malformed (the checks etcd 3.6's BytesToRev makes, plus "fits in a JS number").
 */
export function revisionMain(buf: Uint8Array, off: number, len: number): number {
  if ((len !== REVISION_BYTES && len !== TOMBSTONE_REVISION_BYTES) || buf[off + 8] !== 0x5f) return -1;
  const hi = readU32(buf, off);
  const subHi = readU32(buf, off + 9);
  if (hi >= 0x20_0000 || subHi >= 0x8000_0000) return -1;
  return hi * 0x1_0000_0000 + readU32(buf, off + 4);
}

export function isTombstone(buf: Uint8Array, off: number, len: number): boolean {
  return len === TOMBSTONE_REVISION_BYTES && buf[off + 17] === 0x74;
}

export function decodeRevision(bytes: Uint8Array): Revision {
  const n = bytes.length;
  if (n !== REVISION_BYTES && n !== TOMBSTONE_REVISION_BYTES) {
    throw new MvccError(`invalid revision length: ${n}`);
  }
  if (bytes[8] !== 0x5f) throw new MvccError(`invalid separator in revision key: 0x${hex2(bytes[8])}`);
  const main = u63(bytes, 0, "main");
  const sub = u63(bytes, 9, "sub");
  return { main, sub, tombstone: isTombstone(bytes, 0, n) };
}

export function encodeRevision(rev: Revision): Uint8Array {
  const out = new Uint8Array(rev.tombstone ? TOMBSTONE_REVISION_BYTES : REVISION_BYTES);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(rev.main));
  out[8] = 0x5f;
  dv.setBigUint64(9, BigInt(rev.sub));
  if (rev.tombstone) out[17] = 0x74;
  return out;
}

function u63(b: Uint8Array, off: number, what: string): number {
  const hi = readU32(b, off);
  if (hi >= 0x8000_0000) throw new MvccError(`negative ${what} revision`);
  if (hi >= 0x20_0000) throw new MvccError(`${what} revision exceeds 2^53`);
  return hi * 0x1_0000_0000 + readU32(b, off + 4);
}

function readU32(b: Uint8Array, off: number): number {
  return (
    ((b[off] as number) * 0x100_0000 +
      (((b[off + 1] as number) << 16) | ((b[off + 2] as number) << 8) | (b[off + 3] as number))) >>>
    0
  );
}

function hex2(n: number | undefined): string {
  return (n ?? 0).toString(16).padStart(2, "0");
}
