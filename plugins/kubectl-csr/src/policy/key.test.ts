import { describe, expect, it } from "vitest";
import { keyRule } from "./key.js";
import { servingCsr, underReview } from "./testing.js";

describe("key rule", () => {
  it.each(["rsa-2048", "ecdsa-p256", "ecdsa-p384", "ed25519"] as const)("holds for %s", async (key) => {
    expect(keyRule(underReview(await servingCsr({ key })))).toEqual([]);
  });

  it("refuses RSA-1024", async () => {
    expect(keyRule(underReview(await servingCsr({ key: "rsa-1024" })))).toEqual([
      { rule: "key", message: "key RSA-1024 is not RSA >= 2048, ECDSA P-256/P-384 or Ed25519" },
    ]);
  });
});

describe("key rule on keys the test generator cannot make", () => {
  it.each([
    [{ type: "ECDSA", bits: 521, curve: "P-521" }, "ECDSA P-521"],
    [{ type: "RSA-PSS", bits: 4096 }, "RSA-PSS-4096"],
    [{ type: "DSA", bits: 2048 }, "DSA-2048"],
    [{ type: "ECDSA" }, "ECDSA ?"],
    [{ type: "ECDH", curve: "P-256" }, "ECDH"],
    [{ type: "RSA" }, "RSA"],
  ])("refuses %j", async (publicKey, shown) => {
    const review = underReview(await servingCsr());
    if (!review.request.ok) throw new Error("fixture does not parse");
    review.request = { ok: true, csr: { ...review.request.csr, publicKey } };
    expect(keyRule(review)).toEqual([
      { rule: "key", message: `key ${shown} is not RSA >= 2048, ECDSA P-256/P-384 or Ed25519` },
    ]);
  });
});

describe("key rule on a request that does not parse", () => {
  it("says nothing (the request rule reports it)", async () => {
    const csr = await servingCsr();
    csr.spec.request = Buffer.from("hello").toString("base64");
    expect(keyRule(underReview(csr))).toEqual([]);
  });
});
