import { createCertificate, generateKey } from "@kubemend/lib/x509/issue";
import { describe, expect, it } from "vitest";
import { checkIssued } from "./issued.js";

const now = new Date("2026-11-23T12:00:00Z");
const HOUR = 3_600_000;

async function issued(sans: { dns?: string[]; ip?: string[] }, lifetimeHours: number) {
  const key = await generateKey("ecdsa-p256");
  return createCertificate({
    subject: { cn: "system:node:worker-1", o: ["system:nodes"] },
    sans,
    keyUsages: ["digital signature"],
    extKeyUsages: ["server auth"],
    isCA: false,
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() - 5 * 60_000 + lifetimeHours * HOUR),
    publicKey: key.privateKey,
  });
}

const planned = { dns: ["worker-1"], ip: ["10.2.1.152"], email: [], uri: [] };

describe("checkIssued", () => {
  it("accepts a certificate with the planned SANs and lifetime", async () => {
    const summary = checkIssued(
      await issued({ dns: ["worker-1"], ip: ["10.2.1.152"] }, 24),
      { sans: planned },
      now,
    );
    expect(summary.problems).toEqual([]);
    expect(summary.sans).toEqual({ dns: ["worker-1"], ip: ["10.2.1.152"] });
    expect(summary.notAfter).toBe("2026-11-24T11:55:00.000Z");
  });

  it("names SANs that differ from the request", async () => {
    const summary = checkIssued(
      await issued({ dns: ["worker-1", "extra"], ip: [] }, 24),
      { sans: planned },
      now,
    );
    expect(summary.problems).toEqual([
      "DNS SANs worker-1,extra differ from the request's worker-1",
      "IP SANs (none) differ from the request's 10.2.1.152",
    ]);
  });

  it("flags a lifetime longer than expirationSeconds or --max-expiration", async () => {
    const pem = await issued({ dns: ["worker-1"], ip: ["10.2.1.152"] }, 48);
    expect(checkIssued(pem, { sans: planned, expirationSeconds: 86_400 }, now).problems).toEqual([
      "lifetime 172800s exceeds the 86400s that was approved",
    ]);
    expect(checkIssued(pem, { sans: planned, maxExpirationSeconds: 3_600 }, now).problems).toEqual([
      "lifetime 172800s exceeds the 3600s that was approved",
    ]);
  });

  it("flags an expired certificate and text that holds none", async () => {
    const pem = await issued({ dns: ["worker-1"], ip: ["10.2.1.152"] }, 1);
    expect(checkIssued(pem, { sans: planned }, new Date(now.getTime() + 2 * HOUR)).problems).toEqual([
      "expired at 2026-11-23T12:55:00.000Z",
    ]);
    expect(checkIssued("garbage", { sans: planned }, now).problems).toEqual([
      "status.certificate holds no certificate",
    ]);
  });
});
