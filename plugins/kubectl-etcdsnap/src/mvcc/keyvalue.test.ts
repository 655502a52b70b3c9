import { describe, expect, it } from "vitest";
import {
  decodeKeyValue,
  scanKeyValue,
  scannedKeyEnd,
  scannedKeyStart,
  scannedValueEnd,
  scannedValueStart,
} from "./keyvalue.js";
import { MvccError } from "./revision.js";

/** A protobuf writer for the test only, so the decoder is checked against independent bytes. */
function varint(n: bigint): number[] {
  let v = BigInt.asUintN(64, n);
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
}
const tag = (field: number, wire: number) => varint(BigInt((field << 3) | wire));
const bytesField = (field: number, b: Uint8Array | string) => {
  const raw = typeof b === "string" ? [...Buffer.from(b)] : [...b];
  return [...tag(field, 2), ...varint(BigInt(raw.length)), ...raw];
};
const intField = (field: number, n: bigint) => [...tag(field, 0), ...varint(n)];

describe("decodeKeyValue", () => {
  it("decodes all six fields, including a full 64-bit lease", () => {
    const msg = Uint8Array.from([
      ...bytesField(1, "/registry/pods/default/web"),
      ...intField(2, 41n),
      ...intField(3, 2n ** 40n),
      ...intField(4, 3n),
      ...bytesField(5, "value"),
      ...intField(6, 7587862086848427011n),
    ]);
    expect(decodeKeyValue(msg)).toEqual({
      key: Uint8Array.from(Buffer.from("/registry/pods/default/web")),
      createRevision: 41,
      modRevision: 2 ** 40,
      version: 3,
      value: Uint8Array.from(Buffer.from("value")),
      lease: 7587862086848427011n,
    });
  });

  it("decodes negative int64 and skips unknown fields of every wire type", () => {
    const msg = Uint8Array.from([
      ...intField(2, -5n),
      ...intField(9, 1n),
      ...tag(10, 1),
      ...[1, 2, 3, 4, 5, 6, 7, 8],
      ...bytesField(11, "zzz"),
      ...tag(12, 5),
      ...[1, 2, 3, 4],
      ...tag(13, 3),
      ...intField(1, 1n),
      ...tag(13, 4),
      ...bytesField(1, "k"),
    ]);
    const kv = decodeKeyValue(msg);
    expect(kv.createRevision).toBe(-5);
    expect(Buffer.from(kv.key).toString()).toBe("k");
  });

  it("rejects what gogo's Unmarshal rejects", () => {
    const bad: [string, number[]][] = [
      ["truncated bytes", [...tag(1, 2), 10, 1, 2]],
      ["truncated varint", [...tag(2, 0), 0x80]],
      ["wrong wire type", [...tag(2, 2), 0]],
      ["end group", [...tag(7, 4)]],
      ["field 0", [...tag(0, 0), 1]],
      ["illegal wire type", [...tag(9, 7)]],
      ["varint overflow", [...tag(2, 0), ...Array(10).fill(0xff), 1]],
      ["negative length", [...tag(1, 2), ...varint(-1n)]],
    ];
    for (const [name, bytes] of bad) {
      expect(() => decodeKeyValue(Uint8Array.from(bytes)), name).toThrow(MvccError);
    }
  });

  it("finds the key without allocating via scanKeyValue", () => {
    const msg = Uint8Array.from([0, 0, ...intField(2, 1n), ...bytesField(1, "abc"), ...bytesField(5, "v")]);
    expect(scanKeyValue(msg, 2, msg.length - 2)).toBeNull();
    expect(Buffer.from(msg.subarray(scannedKeyStart(), scannedKeyEnd())).toString()).toBe("abc");
    expect(scanKeyValue(Uint8Array.of(0x0a, 5, 1), 0, 3)).toMatch(/EOF/);
  });
});

describe("decodeKeyValue, exactly", () => {
  const error = (bytes: number[]) => {
    try {
      decodeKeyValue(Uint8Array.from(bytes));
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  };

  it("names each rejection as gogo does", () => {
    const prefix = "cannot decode mvccpb.KeyValue: ";
    expect(error([...tag(1, 2), 10, 1, 2])).toBe(`${prefix}unexpected EOF`);
    expect(error([...tag(2, 0), 0x80])).toBe(`${prefix}unexpected EOF`);
    expect(error([...tag(2, 2), 0])).toBe(`${prefix}wrong wireType = 2 for field 2`);
    expect(error([...tag(5, 0), 0])).toBe(`${prefix}wrong wireType = 0 for field 5`);
    expect(error([...tag(7, 4)])).toBe(`${prefix}wiretype end group for non-group`);
    expect(error([...tag(0, 0), 1])).toBe(`${prefix}illegal tag 0 (wire type 0)`);
    expect(error([...tag(9, 7)])).toBe(`${prefix}illegal wireType 7`);
    expect(error([...tag(9, 6)])).toBe(`${prefix}illegal wireType 6`);
    expect(error([...tag(2, 0), ...Array(10).fill(0xff), 1])).toBe(`${prefix}integer overflow`);
    expect(error([...tag(1, 2), ...varint(-1n)])).toBe(`${prefix}negative length`);
    expect(error([...tag(1, 2), ...varint(2n ** 32n)])).toBe(`${prefix}unexpected EOF`);
    expect(error([...tag(9, 1), 1, 2, 3, 4, 5, 6, 7])).toBe(`${prefix}unexpected EOF`);
    expect(error([...tag(9, 5), 1, 2, 3])).toBe(`${prefix}unexpected EOF`);
    expect(error([...tag(9, 2), 4, 1, 2, 3])).toBe(`${prefix}unexpected EOF`);
    expect(error([...tag(9, 0), 0x80])).toBe(`${prefix}unexpected EOF`);
    expect(error([...tag(9, 3), ...tag(1, 0)])).toBe(`${prefix}unexpected EOF`);
    expect(error([...tag(9, 3), ...tag(9, 0), 1])).toBe(`${prefix}unexpected EOF`);
    expect(error([...tag(9, 3), 0x80])).toBe(`${prefix}unexpected EOF`);
    expect(error([...tag(9, 3), ...tag(9, 7)])).toBe(`${prefix}illegal wireType 7`);
    // A tag above field 2^28 needs its high varint bits.
    expect(error([...varint(BigInt(2 ** 28) * 8n), 1])).toBe("no error");
    expect(error([...varint(BigInt(2 ** 31) * 8n), 1])).toBe(
      `${prefix}illegal tag -2147483648 (wire type 0)`,
    );
  });

  it("reads exact 64-bit integers at the edges of the 32-bit halves", () => {
    const kv = (n: bigint) => decodeKeyValue(Uint8Array.from(intField(2, n))).createRevision;
    expect(kv(0n)).toBe(0);
    expect(kv(127n)).toBe(127);
    expect(kv(128n)).toBe(128);
    expect(kv(2n ** 28n - 1n)).toBe(2 ** 28 - 1);
    expect(kv(2n ** 28n)).toBe(2 ** 28);
    expect(kv(2n ** 31n)).toBe(2 ** 31);
    expect(kv(2n ** 32n - 1n)).toBe(2 ** 32 - 1);
    expect(kv(2n ** 32n)).toBe(2 ** 32);
    expect(kv(2n ** 35n + 3n)).toBe(2 ** 35 + 3);
    expect(kv(2n ** 53n - 1n)).toBe(2 ** 53 - 1);
    expect(kv(-1n)).toBe(-1);
    expect(kv(-(2n ** 32n))).toBe(-(2 ** 32));
    expect(kv(-(2n ** 53n) + 1n)).toBe(-(2 ** 53) + 1);
    const lease = (n: bigint) => decodeKeyValue(Uint8Array.from(intField(6, n))).lease;
    expect(lease(-1n)).toBe(-1n);
    expect(lease(2n ** 63n - 1n)).toBe(2n ** 63n - 1n);
    expect(lease(2n ** 32n + 7n)).toBe(2n ** 32n + 7n);
    const all = decodeKeyValue(Uint8Array.from([...intField(3, 9n), ...intField(4, 2n ** 40n + 1n)]));
    expect([all.modRevision, all.version]).toEqual([9, 2 ** 40 + 1]);
  });

  it("keeps the last value of a repeated field and defaults absent ones", () => {
    expect(decodeKeyValue(Uint8Array.from([...bytesField(1, "a"), ...bytesField(1, "bc")]))).toEqual({
      key: Uint8Array.from(Buffer.from("bc")),
      createRevision: 0,
      modRevision: 0,
      version: 0,
      value: new Uint8Array(0),
      lease: 0n,
    });
  });

  it("scanKeyValue delimits key and value inside a larger buffer, and both are empty when absent", () => {
    const msg = Uint8Array.from([
      9,
      9,
      ...bytesField(5, "val"),
      ...intField(4, 1n),
      ...bytesField(1, "key"),
      9,
    ]);
    expect(scanKeyValue(msg, 2, msg.length - 3)).toBeNull();
    expect([scannedKeyStart(), scannedKeyEnd(), scannedValueStart(), scannedValueEnd()]).toEqual([
      11, 14, 4, 7,
    ]);
    const empty = Uint8Array.from([9, ...intField(2, 1n)]);
    expect(scanKeyValue(empty, 1, 2)).toBeNull();
    expect([scannedKeyStart(), scannedKeyEnd(), scannedValueStart(), scannedValueEnd()]).toEqual([
      1, 1, 1, 1,
    ]);
    expect(scanKeyValue(msg, 2, 3)).toBe("unexpected EOF");
  });
});
