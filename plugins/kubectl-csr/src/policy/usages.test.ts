import { describe, expect, it } from "vitest";
import { servingCsr, underReview } from "./testing.js";
import { usagesRule } from "./usages.js";

describe("usages rule", () => {
  it.each([
    [["digital signature", "server auth"]],
    [["digital signature", "key encipherment", "server auth"]],
    [["server auth"]],
  ])("holds for %j", async (usages) => {
    expect(usagesRule(underReview(await servingCsr({ usages })))).toEqual([]);
  });

  it("refuses client auth", async () => {
    const csr = await servingCsr({ usages: ["digital signature", "server auth", "client auth"] });
    expect(usagesRule(underReview(csr))).toEqual([
      { rule: "usages", message: "usage not allowed: client auth" },
    ]);
  });

  it("refuses usages without server auth", async () => {
    const csr = await servingCsr({ usages: ["digital signature", "key encipherment"] });
    expect(usagesRule(underReview(csr))).toEqual([
      { rule: "usages", message: 'usages do not include "server auth"' },
    ]);
  });
});

describe("usages rule, lists and missing fields", () => {
  it("lists every usage that is not allowed, comma-separated", async () => {
    const csr = await servingCsr({ usages: ["server auth", "client auth", "code signing"] });
    expect(usagesRule(underReview(csr))).toEqual([
      { rule: "usages", message: "usage not allowed: client auth, code signing" },
    ]);
  });

  it("reads missing spec.usages as none", async () => {
    const csr = await servingCsr();
    delete csr.spec.usages;
    expect(usagesRule(underReview(csr))).toEqual([
      { rule: "usages", message: 'usages do not include "server auth"' },
    ]);
  });
});
