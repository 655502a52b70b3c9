import { describe, expect, it } from "vitest";
import { anchoredRegex, limitsRule } from "./limits.js";
import { servingCsr, underReview } from "./testing.js";

describe("limits rule", () => {
  it("holds when no limit is set", async () => {
    expect(limitsRule(underReview(await servingCsr({ expirationSeconds: 10 ** 9 })))).toEqual([]);
  });

  it("--allowed-cidrs: every IP SAN must be inside one of them", async () => {
    const csr = await servingCsr({ sans: { ip: ["10.2.1.152", "203.0.113.7"] } });
    const review = underReview(csr, { limits: { allowedCidrs: ["10.2.0.0/16", "192.0.2.0/24"] } });
    expect(limitsRule(review)).toEqual([
      {
        rule: "allowed-cidrs",
        message: "IP SAN 203.0.113.7 is outside --allowed-cidrs 10.2.0.0/16,192.0.2.0/24",
      },
    ]);
  });

  it("--dns-regex is anchored at both ends", async () => {
    const csr = await servingCsr({ sans: { dns: ["worker-1", "evil-worker-1.example"] } });
    const review = underReview(csr, { limits: { allowedCidrs: [], dnsRegex: anchoredRegex("worker-\\d+") } });
    expect(limitsRule(review)).toEqual([
      {
        rule: "dns-regex",
        message: "DNS SAN evil-worker-1.example does not match --dns-regex ^(?:worker-\\d+)$",
      },
    ]);
  });

  it("--max-expiration refuses a longer expirationSeconds and lets the signer's default through", async () => {
    const limits = { allowedCidrs: [], maxExpirationSeconds: 86_400 };
    const long = await servingCsr({ expirationSeconds: 86_401 });
    expect(limitsRule(underReview(long, { limits }))).toEqual([
      { rule: "max-expiration", message: "expirationSeconds 86401 exceeds --max-expiration (86400s)" },
    ]);
    expect(limitsRule(underReview(await servingCsr({ expirationSeconds: 86_400 }), { limits }))).toEqual([]);
    expect(limitsRule(underReview(await servingCsr(), { limits }))).toEqual([]);
  });
});

describe("limits rule, edge cases", () => {
  it("--allowed-cidrs skips an entry that is not a CIDR and still checks the others", async () => {
    const csr = await servingCsr({ sans: { ip: ["10.2.1.152", "203.0.113.7"] } });
    const review = underReview(csr, { limits: { allowedCidrs: ["not-a-cidr", "10.2.0.0/16"] } });
    expect(limitsRule(review)).toEqual([
      {
        rule: "allowed-cidrs",
        message: "IP SAN 203.0.113.7 is outside --allowed-cidrs not-a-cidr,10.2.0.0/16",
      },
    ]);
  });

  it("--allowed-cidrs and --dns-regex say nothing about a request that does not parse", async () => {
    const csr = await servingCsr({ expirationSeconds: 100 });
    csr.spec.request = Buffer.from("hello").toString("base64");
    const limits = {
      allowedCidrs: ["192.0.2.0/24"],
      dnsRegex: anchoredRegex("nothing"),
      maxExpirationSeconds: 99,
    };
    expect(limitsRule(underReview(csr, { limits }))).toEqual([
      { rule: "max-expiration", message: "expirationSeconds 100 exceeds --max-expiration (99s)" },
    ]);
  });

  it("--dns-regex ignores case, as DNS does", () => {
    const regex = anchoredRegex("worker-\\d+");
    expect(regex.source).toBe("^(?:worker-\\d+)$");
    expect(regex.flags).toBe("i");
    expect(regex.test("WORKER-7")).toBe(true);
    expect(regex.test("worker-7.example")).toBe(false);
  });
});
