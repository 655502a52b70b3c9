import { describe, expect, it } from "vitest";
import {
  decodeMemberListResponse,
  decodeSnapshotResponse,
  decodeStatusResponse,
  encodeBytesField,
  encodeVarintField,
  ProtoError,
} from "./proto.js";

const header = Buffer.concat([
  encodeVarintField(1, 0xcdefn * 0x1_0000_0000n + 0x12345678n),
  encodeVarintField(2, 2n ** 64n - 1n),
  encodeVarintField(3, 123_456_789),
  encodeVarintField(4, 7),
]);

describe("etcdserverpb decoding", () => {
  it("decodes a StatusResponse, with 64-bit IDs in hex and unknown fields skipped", () => {
    const msg = Buffer.concat([
      encodeBytesField(1, header),
      encodeBytesField(2, "3.6.16"),
      encodeVarintField(3, 24576),
      encodeVarintField(4, 0x2e1259d415f2a040n),
      encodeVarintField(7, 99),
      encodeBytesField(8, "memberID:1 alarm:NOSPACE"),
      encodeVarintField(10, 1),
      encodeBytesField(11, "3.6.0"),
      encodeVarintField(99, 5),
      encodeBytesField(98, "future"),
    ]);
    const s = decodeStatusResponse(msg);
    expect(s.header).toEqual({
      clusterId: "0000cdef12345678",
      memberId: "ffffffffffffffff",
      revision: 123_456_789,
      raftTerm: 7,
    });
    expect(s).toMatchObject({
      version: "3.6.16",
      dbSize: 24576,
      leader: "2e1259d415f2a040",
      raftAppliedIndex: 99,
      errors: ["memberID:1 alarm:NOSPACE"],
      isLearner: true,
      storageVersion: "3.6.0",
    });
  });

  it("decodes SnapshotResponse and MemberListResponse", () => {
    const blob = Buffer.from([0, 1, 2, 255]);
    const snap = decodeSnapshotResponse(
      Buffer.concat([encodeBytesField(1, header), encodeVarintField(2, 4096), encodeBytesField(3, blob)]),
    );
    expect(snap.remainingBytes).toBe(4096);
    expect(Buffer.from(snap.blob)).toEqual(blob);
    const member = Buffer.concat([
      encodeVarintField(1, 0xabcn),
      encodeBytesField(2, "cp-1"),
      encodeBytesField(3, "https://10.0.0.1:2380"),
      encodeBytesField(4, "https://10.0.0.1:2379"),
      encodeBytesField(4, "https://127.0.0.1:2379"),
    ]);
    const list = decodeMemberListResponse(
      Buffer.concat([encodeBytesField(1, header), encodeBytesField(2, member)]),
    );
    expect(list.members).toEqual([
      {
        id: "0000000000000abc",
        name: "cp-1",
        peerUrls: ["https://10.0.0.1:2380"],
        clientUrls: ["https://10.0.0.1:2379", "https://127.0.0.1:2379"],
        isLearner: false,
      },
    ]);
  });

  it("rejects truncated or malformed messages with a ProtoError, never anything else", () => {
    const headerField = encodeBytesField(1, header);
    const versionField = encodeBytesField(2, "3.6.16");
    const good = Buffer.concat([headerField, versionField, encodeVarintField(7, 300)]);
    // A cut between two fields leaves a shorter, valid message; a cut anywhere else is truncated.
    const afterHeader = headerField.length;
    const afterVersion = headerField.length + versionField.length;
    expect(decodeStatusResponse(good)).toMatchObject({ version: "3.6.16", raftAppliedIndex: 300 });
    expect(decodeStatusResponse(good.subarray(0, afterHeader))).toMatchObject({
      header: { revision: 123_456_789 },
      version: "",
    });
    expect(decodeStatusResponse(good.subarray(0, afterVersion))).toMatchObject({
      header: { revision: 123_456_789 },
      version: "3.6.16",
      raftAppliedIndex: 0,
    });
    let truncated = 0;
    for (let len = 1; len < good.length; len++) {
      if (len === afterHeader || len === afterVersion) continue;
      expect(() => decodeStatusResponse(good.subarray(0, len)), `cut after ${len} bytes`).toThrow(ProtoError);
      truncated++;
    }
    expect(truncated).toBe(good.length - 3);
    expect(() => decodeStatusResponse(Buffer.from([0x0a, 0x05, 1]))).toThrow(ProtoError);
    expect(() => decodeStatusResponse(Buffer.from([0x0b]))).toThrow("unsupported wire type 3");
    expect(() => decodeStatusResponse(Buffer.alloc(11, 0xff))).toThrow(ProtoError);
  });
});
