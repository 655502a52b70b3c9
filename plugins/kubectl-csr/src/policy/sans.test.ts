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
