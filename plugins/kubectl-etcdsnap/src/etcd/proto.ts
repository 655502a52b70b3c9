// The few etcdserverpb messages etcdsnap exchanges, encoded and decoded by hand. A .proto loader
// (@grpc/proto-loader + protobufjs) would need etcd's .proto files and their gogoproto and
// google.api imports shipped in the bundle and parsed at every start, for six messages whose
// requests are empty or one field. Field numbers are from etcd's api/etcdserverpb/rpc.proto.
// Unknown fields are skipped, so newer servers that add fields still decode.

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

export class ProtoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtoError";
  }
}

interface Field {
  no: number;
  wire: number;
  /** The varint, for wire type 0. */
  int: bigint;
  /** The payload, for wire type 2. */
  bytes: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: { at: number }): bigint {
  let result = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (pos.at >= buf.length) throw new ProtoError("truncated varint");
    const b = buf[pos.at++] as number;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
  }
  throw new ProtoError("varint longer than 10 bytes");
}

function* fields(buf: Uint8Array): Generator<Field> {
  const pos = { at: 0 };
  const empty = new Uint8Array(0);
  while (pos.at < buf.length) {
    const tag = readVarint(buf, pos);
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0) throw new ProtoError("field number 0");
    if (wire === WIRE_VARINT) {
      yield { no, wire, int: readVarint(buf, pos), bytes: empty };
    } else if (wire === WIRE_LEN) {
      const len = Number(readVarint(buf, pos));
      if (pos.at + len > buf.length) throw new ProtoError(`field ${no}: ${len} bytes past the end`);
      yield { no, wire, int: 0n, bytes: buf.subarray(pos.at, pos.at + len) };
      pos.at += len;
    } else if (wire === WIRE_I64 || wire === WIRE_I32) {
      pos.at += wire === WIRE_I64 ? 8 : 4;
      if (pos.at > buf.length) throw new ProtoError(`field ${no}: fixed value past the end`);
    } else {
      throw new ProtoError(`field ${no}: unsupported wire type ${wire}`);
    }
  }
}

const text = new TextDecoder();
const str = (f: Field) => text.decode(f.bytes);
/** int64 as a JS number; etcd revisions and sizes stay far below 2^53. */
const num = (f: Field) => Number(BigInt.asIntN(64, f.int));
/** etcd prints member and cluster IDs as 16 hex digits. */
const hexId = (f: Field) => f.int.toString(16).padStart(16, "0");

export interface ResponseHeader {
  clusterId: string;
  memberId: string;
  revision: number;
  raftTerm: number;
}

export function decodeHeader(buf: Uint8Array): ResponseHeader {
  const h: ResponseHeader = { clusterId: "", memberId: "", revision: 0, raftTerm: 0 };
  for (const f of fields(buf)) {
    if (f.wire !== WIRE_VARINT) continue;
    if (f.no === 1) h.clusterId = hexId(f);
    else if (f.no === 2) h.memberId = hexId(f);
    else if (f.no === 3) h.revision = num(f);
    else if (f.no === 4) h.raftTerm = num(f);
  }
  return h;
}

export interface StatusResponse {
  header: ResponseHeader;
  version: string;
  dbSize: number;
  leader: string;
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex: number;
  /** Alarms and "no leader", as etcd reports them. */
  errors: string[];
  dbSizeInUse: number;
  isLearner: boolean;
  /** etcd 3.6 and later. */
  storageVersion: string;
}

export function decodeStatusResponse(buf: Uint8Array): StatusResponse {
  const r: StatusResponse = {
    header: decodeHeader(new Uint8Array(0)),
    version: "",
    dbSize: 0,
    leader: "",
    raftIndex: 0,
    raftTerm: 0,
    raftAppliedIndex: 0,
    errors: [],
    dbSizeInUse: 0,
    isLearner: false,
    storageVersion: "",
  };
  for (const f of fields(buf)) {
    if (f.wire === WIRE_LEN) {
      if (f.no === 1) r.header = decodeHeader(f.bytes);
      else if (f.no === 2) r.version = str(f);
      else if (f.no === 8) r.errors.push(str(f));
      else if (f.no === 11) r.storageVersion = str(f);
    } else if (f.wire === WIRE_VARINT) {
      if (f.no === 3) r.dbSize = num(f);
      else if (f.no === 4) r.leader = hexId(f);
      else if (f.no === 5) r.raftIndex = num(f);
      else if (f.no === 6) r.raftTerm = num(f);
      else if (f.no === 7) r.raftAppliedIndex = num(f);
      else if (f.no === 9) r.dbSizeInUse = num(f);
      else if (f.no === 10) r.isLearner = f.int !== 0n;
    }
  }
  return r;
}

export interface SnapshotResponse {
  header?: ResponseHeader;
  remainingBytes: number;
  blob: Uint8Array;
  /** etcd 3.6 and later: the server version, in the first message. */
  version: string;
}

export function decodeSnapshotResponse(buf: Uint8Array): SnapshotResponse {
  const r: SnapshotResponse = { remainingBytes: 0, blob: new Uint8Array(0), version: "" };
  for (const f of fields(buf)) {
    if (f.wire === WIRE_LEN) {
      if (f.no === 1) r.header = decodeHeader(f.bytes);
      else if (f.no === 3) r.blob = f.bytes;
      else if (f.no === 4) r.version = str(f);
    } else if (f.wire === WIRE_VARINT && f.no === 2) r.remainingBytes = num(f);
  }
  return r;
}

export interface Member {
  id: string;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

export interface MemberListResponse {
  header: ResponseHeader;
  members: Member[];
}

export function decodeMemberListResponse(buf: Uint8Array): MemberListResponse {
  const r: MemberListResponse = { header: decodeHeader(new Uint8Array(0)), members: [] };
  for (const f of fields(buf)) {
    if (f.wire !== WIRE_LEN) continue;
    if (f.no === 1) r.header = decodeHeader(f.bytes);
    else if (f.no === 2) r.members.push(decodeMember(f.bytes));
  }
  return r;
}

function decodeMember(buf: Uint8Array): Member {
  const m: Member = { id: "", name: "", peerUrls: [], clientUrls: [], isLearner: false };
  for (const f of fields(buf)) {
    if (f.wire === WIRE_VARINT) {
      if (f.no === 1) m.id = hexId(f);
      else if (f.no === 5) m.isLearner = f.int !== 0n;
    } else if (f.wire === WIRE_LEN) {
      if (f.no === 2) m.name = str(f);
      else if (f.no === 3) m.peerUrls.push(str(f));
      else if (f.no === 4) m.clientUrls.push(str(f));
    }
  }
  return m;
}

/** StatusRequest and SnapshotRequest have no fields; MemberListRequest's only field defaults off. */
export const EMPTY_REQUEST = Buffer.alloc(0);

function varint(value: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, value);
  while (x >= 0x80n) {
    out.push(Number((x & 0x7fn) | 0x80n));
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

/** A varint field (for tests that build responses). */
export function encodeVarintField(no: number, value: bigint | number): Buffer {
  return Buffer.from([...varint(BigInt((no << 3) | WIRE_VARINT)), ...varint(BigInt(value))]);
}

/** A length-delimited field (for tests that build responses). */
export function encodeBytesField(no: number, value: Uint8Array | string): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value) : value;
  return Buffer.concat([
    Buffer.from([...varint(BigInt((no << 3) | WIRE_LEN)), ...varint(BigInt(bytes.length))]),
    bytes,
  ]);
}

export interface RangeRequest {
  key: Uint8Array;
  /** "\0" with key "\0" means every key. */
  rangeEnd: Uint8Array;
  limit: number;
  /** 0 for the current revision. */
  revision: number;
  keysOnly: boolean;
}

export function encodeRangeRequest(r: RangeRequest): Buffer {
  return Buffer.concat([
    encodeBytesField(1, r.key),
    encodeBytesField(2, r.rangeEnd),
    ...(r.limit > 0 ? [encodeVarintField(3, r.limit)] : []),
    ...(r.revision > 0 ? [encodeVarintField(4, r.revision)] : []),
    ...(r.keysOnly ? [encodeVarintField(8, 1)] : []),
  ]);
}

/** A KeyValue of a keys-only range: the key and its mod revision (no value is asked for). */
export interface RangeKey {
  key: Uint8Array;
  modRevision: number;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: RangeKey[];
  more: boolean;
  count: number;
}

export function decodeRangeResponse(buf: Uint8Array): RangeResponse {
  const r: RangeResponse = { header: decodeHeader(new Uint8Array(0)), kvs: [], more: false, count: 0 };
  for (const f of fields(buf)) {
    if (f.wire === WIRE_LEN) {
      if (f.no === 1) r.header = decodeHeader(f.bytes);
      else if (f.no === 2) r.kvs.push(decodeRangeKey(f.bytes));
    } else if (f.wire === WIRE_VARINT) {
      if (f.no === 3) r.more = f.int !== 0n;
      else if (f.no === 4) r.count = num(f);
    }
  }
  return r;
}

function decodeRangeKey(buf: Uint8Array): RangeKey {
  const kv: RangeKey = { key: new Uint8Array(0), modRevision: 0 };
  for (const f of fields(buf)) {
    if (f.no === 1 && f.wire === WIRE_LEN) kv.key = f.bytes;
    else if (f.no === 3 && f.wire === WIRE_VARINT) kv.modRevision = num(f);
  }
  return kv;
}
