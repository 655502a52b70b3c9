import { describe, expect, it } from "vitest";
import { sansRule } from "./sans.js";
import { servingCsr, underReview } from "./testing.js";

describe("sans rule", () => {
  it("holds for DNS and IP SANs", async () => {
    expect(sansRule(underReview(await servingCsr()))).toEqual([]);
    expect(sansRule(underReview(await servingCsr({ sans: { ip: ["10.2.1.152"] } })))).toEqual([]);
  });

  it("refuses a request without DNS or IP SANs", async () => {
    expect(sansRule(underReview(await servingCsr({ sans: {} })))).toEqual([
      { rule: "sans", message: "no DNS or IP SAN" },
    ]);
  });

  it("lists every offending SAN of a kind, comma-separated", async () => {
    const csr = await servingCsr({
      sans: {
        dns: ["*.a.example", "worker-1", "*.b.example"],
        email: ["root@worker-1", "admin@worker-1"],
        uri: ["https://a.example", "https://b.example"],
      },
    });
    expect(sansRule(underReview(csr))).toEqual([
      { rule: "sans", message: "email SAN not allowed: root@worker-1, admin@worker-1" },
      { rule: "sans", message: "URI SAN not allowed: https://a.example, https://b.example" },
      { rule: "sans", message: "wildcard DNS SAN: *.a.example, *.b.example" },
    ]);
  });

  it("says nothing about a request that does not parse (the request rule reports it)", async () => {
    const csr = await servingCsr();
    csr.spec.request = Buffer.from("hello").toString("base64");
    expect(sansRule(underReview(csr))).toEqual([]);
  });

  it("refuses email, URI and wildcard SANs", async () => {
    const csr = await servingCsr({
      sans: {
        dns: ["worker-1", "*.worker-1"],
        email: ["root@worker-1"],
        uri: ["spiffe://cluster.local/ns/default/sa/x"],
      },
    });
    expect(sansRule(underReview(csr))).toEqual([
      { rule: "sans", message: "email SAN not allowed: root@worker-1" },
      { rule: "sans", message: "URI SAN not allowed: spiffe://cluster.local/ns/default/sa/x" },
      { rule: "sans", message: "wildcard DNS SAN: *.worker-1" },
    ]);
  });
});
