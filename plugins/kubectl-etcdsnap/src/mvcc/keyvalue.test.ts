import { describe, expect, it } from "vitest";
import { decodeKeyValue, scanKeyValue, scannedKeyEnd, scannedKeyStart } from "./keyvalue.js";
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
