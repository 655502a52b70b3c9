// mvccpb.KeyValue, the value stored under each revision in etcd's "key" bucket. A hand-written
// decoder: the message has six scalar fields, so generated protobuf code and its runtime would add
// a dependency for no gain, and the status scan needs an allocation-free pass over every value.
// The acceptance rules follow the gogo-generated Unmarshal etcd uses, so a value etcd cannot read
// is rejected here too.

import { MvccError } from "./revision.js";

export interface KeyValue {
  key: Uint8Array;
  createRevision: number;
  modRevision: number;
  version: number;
  value: Uint8Array;
  /** Lease IDs use all 64 bits. 0 means no lease. */
  lease: bigint;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

// Results of readVarint, kept in module state so the scan allocates nothing per field.
let pos = 0;
let lo = 0;
let hi = 0;

/** Reads a varint at `pos` into lo/hi (two 32-bit halves); returns an error string or null. */
function readVarint(buf: Uint8Array, end: number): string | null {
  lo = 0;
  hi = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return "unexpected EOF";
    const b = buf[pos++] as number;
    if (i < 4) lo |= (b & 0x7f) << (7 * i);
    else if (i === 4) {
      lo |= (b & 0x0f) << 28;
      hi = (b & 0x7f) >> 4;
    } else hi |= (b & 0x7f) << (7 * i - 32);
    if (b < 0x80) {
      lo >>>= 0;
      hi >>>= 0;
      return null;
    }
  }
  return "integer overflow";
}

/** Signed 64-bit value of lo/hi as a number; exact within ±2^53. */
function int64(): number {
  return hi >= 0x8000_0000 ? -((~hi >>> 0) * 0x1_0000_0000 + (~lo >>> 0) + 1) : hi * 0x1_0000_0000 + lo;
}

const FIELD_WIRE = [-1, WIRE_BYTES, WIRE_VARINT, WIRE_VARINT, WIRE_VARINT, WIRE_BYTES, WIRE_VARINT];

type FieldFn = (field: number, start: number, end: number) => void;

/**
 * Walks the message in buf[off, off+len), calling `onField` for each of the six known fields
 * (for bytes fields start/end delimit the bytes; for varints read lo/hi). Returns an error or null.
 */
function walk(buf: Uint8Array, off: number, len: number, onField: FieldFn | null): string | null {
  pos = off;
  const end = off + len;
  while (pos < end) {
    let err = readVarint(buf, end);
    if (err !== null) return err;
    const field = (hi << 29) | (lo >>> 3) | 0;
    const wire = lo & 7;
    if (wire === WIRE_END_GROUP) return "wiretype end group for non-group";
    if (field <= 0) return `illegal tag ${field} (wire type ${wire})`;
    if (field <= 6) {
      if (wire !== FIELD_WIRE[field]) return `wrong wireType = ${wire} for field ${field}`;
      if (wire === WIRE_VARINT) {
        err = readVarint(buf, end);
        if (err !== null) return err;
        onField?.(field, pos, pos);
        continue;
      }
      err = readLength(buf, end);
      if (err !== null) return err;
      const start = pos;
      pos += lo;
      onField?.(field, start, pos);
      continue;
    }
    err = skip(buf, end, wire);
    if (err !== null) return err;
  }
  return null;
}

function readLength(buf: Uint8Array, end: number): string | null {
  const err = readVarint(buf, end);
  if (err !== null) return err;
  if (hi >= 0x8000_0000) return "negative length";
  if (hi !== 0 || pos + lo > end) return "unexpected EOF";
  return null;
}

/** Skips an unknown field, including (nested) groups, as gogo's skip function does. */
function skip(buf: Uint8Array, end: number, firstWire: number): string | null {
  let depth = 0;
  let wire = firstWire;
  for (;;) {
    switch (wire) {
      case WIRE_VARINT: {
        const err = readVarint(buf, end);
        if (err !== null) return err;
        break;
      }
      case WIRE_FIXED64:
        pos += 8;
        break;
      case WIRE_BYTES: {
        const err = readLength(buf, end);
        if (err !== null) return err;
        pos += lo;
        break;
      }
      case WIRE_START_GROUP:
        depth++;
        break;
      case WIRE_END_GROUP:
        if (depth === 0) return "unexpected end of group";
        depth--;
        break;
      case WIRE_FIXED32:
        pos += 4;
        break;
      default:
        return `illegal wireType ${wire}`;
    }
    if (pos > end) return "unexpected EOF";
    if (depth === 0) return null;
    const err = readVarint(buf, end);
    if (err !== null) return err;
    wire = lo & 7;
  }
}

let keyStart = -1;
let keyEnd = -1;
let valueStart = -1;
let valueEnd = -1;
const onKey: FieldFn = (field, start, end) => {
  if (field === 1) {
    keyStart = start;
    keyEnd = end;
  } else if (field === 5) {
    valueStart = start;
    valueEnd = end;
  }
};

/**
 * Validates the KeyValue in buf[off, off+len) without allocating; returns an error or null. On
 * success scannedKeyStart/scannedKeyEnd delimit its key and scannedValueStart/scannedValueEnd its
 * value (empty when the field is absent).
 */
export function scanKeyValue(buf: Uint8Array, off: number, len: number): string | null {
  keyStart = off;
  keyEnd = off;
  valueStart = off;
  valueEnd = off;
  return walk(buf, off, len, onKey);
}

export function scannedKeyStart(): number {
  return keyStart;
}
export function scannedKeyEnd(): number {
  return keyEnd;
}
export function scannedValueStart(): number {
  return valueStart;
}
export function scannedValueEnd(): number {
  return valueEnd;
}

export function decodeKeyValue(bytes: Uint8Array): KeyValue {
  const kv: KeyValue = {
    key: new Uint8Array(0),
    createRevision: 0,
    modRevision: 0,
    version: 0,
    value: new Uint8Array(0),
    lease: 0n,
  };
  const err = walk(bytes, 0, bytes.length, (field, start, end) => {
    switch (field) {
      case 1:
        kv.key = bytes.slice(start, end);
        break;
      case 2:
        kv.createRevision = int64();
        break;
      case 3:
        kv.modRevision = int64();
        break;
      case 4:
        kv.version = int64();
        break;
      case 5:
        kv.value = bytes.slice(start, end);
        break;
      case 6:
        kv.lease = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
        break;
    }
  });
  if (err !== null) throw new MvccError(`cannot decode mvccpb.KeyValue: ${err}`);
  return kv;
}
