import { describe, expect, it } from "vitest";
import { finalCondition, stateRule } from "./state.js";
import { servingCsr, underReview } from "./testing.js";

describe("state rule", () => {
  it("holds for a pending CSR", async () => {
    expect(stateRule(underReview(await servingCsr()))).toEqual([]);
  });

  it.each(["Approved", "Denied", "Failed"])("refuses a CSR that is already %s", async (type) => {
    const csr = await servingCsr();
    csr.status = { conditions: [{ type, status: "True", reason: "X" }] };
    expect(finalCondition(csr)).toBe(type);
    expect(stateRule(underReview(csr))).toEqual([{ rule: "state", message: `already ${type}` }]);
  });

  it("reads a condition without a status as True, and ignores status False", async () => {
    const csr = await servingCsr();
    csr.status = { conditions: [{ type: "Denied" }] };
    expect(finalCondition(csr)).toBe("Denied");
    csr.status = { conditions: [{ type: "Approved", status: "False" }] };
    expect(finalCondition(csr)).toBeUndefined();
  });

  it("refuses one that has a certificate or is being deleted", async () => {
    const csr = await servingCsr();
    csr.status = { certificate: "LS0t" };
    csr.metadata.deletionTimestamp = "2026-11-23T10:00:00Z";
    expect(stateRule(underReview(csr)).map((v) => v.message)).toEqual([
      "already has a certificate",
      "is being deleted",
    ]);
  });
});
