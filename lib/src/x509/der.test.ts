import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeTime, readTlv } from "./der.js";
import { createCertificate, generateKey } from "./issue.js";

function time(tag: number, text: string): Date {
  const tlv = Buffer.from([tag, text.length, ...Buffer.from(text, "latin1")]);
  return decodeTime(tlv, readTlv(tlv, 0));
}

describe("decodeTime", () => {
  it("reads UTCTime with RFC 5280's century rule and GeneralizedTime", () => {
    expect(time(0x17, "491231235959Z").toISOString()).toBe("2049-12-31T23:59:59.000Z");
    expect(time(0x17, "500101000000Z").toISOString()).toBe("1950-01-01T00:00:00.000Z");
    expect(time(0x18, "20500101000000Z").toISOString()).toBe("2050-01-01T00:00:00.000Z");
  });

  it("gives Invalid Date for an impossible or malformed time", () => {
    for (const [tag, text] of [
      [0x17, "261301000000Z"], // month 13
      [0x17, "260230000000Z"], // 30 February
      [0x17, "260101240000Z"], // hour 24
      [0x17, "2601010000Z"], // no seconds
      [0x17, "260101000000+0100"], // not Zulu
      [0x18, "260101000000Z"], // GeneralizedTime with a two-digit year
      [0x02, "260101000000Z"], // not a time at all
    ] as const)
      expect(Number.isNaN(time(tag, text).getTime()), `${tag.toString(16)} ${text}`).toBe(true);
  });

  it("agrees with OpenSSL on a real certificate", async () => {
    const key = await generateKey("ecdsa-p256");
    const pem = await createCertificate({
      subject: { cn: "agree" },
      keyUsages: ["digital signature"],
      extKeyUsages: ["server auth"],
      isCA: false,
      notBefore: new Date("2026-11-30T10:11:12Z"),
      notAfter: new Date("2036-11-30T10:11:12Z"),
      publicKey: key.privateKey,
    });
    const node = new X509Certificate(pem);
    const der = node.raw;
    const at = der.indexOf(Buffer.from([0x17, 0x0d]));
    expect(decodeTime(der, readTlv(der, at))).toEqual(node.validFromDate);
    expect(decodeTime(der, readTlv(der, at + 15))).toEqual(node.validToDate);
  });
});
