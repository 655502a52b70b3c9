import { describe, expect, it } from "vitest";
import { finalCondition, isPending, stateRule } from "./state.js";
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

describe("isPending", () => {
  it("is true for a CSR with no final condition, no certificate and no deletion", async () => {
    const csr = await servingCsr();
    expect(isPending(csr)).toBe(true);
    csr.status = { conditions: [{ type: "Approved", status: "False" }] };
    expect(isPending(csr)).toBe(true);
  });

  it("is false once approved, denied or failed, once issued, and while being deleted", async () => {
    const approved = await servingCsr();
    approved.status = { conditions: [{ type: "Approved", status: "True" }] };
    expect(isPending(approved)).toBe(false);
    const denied = await servingCsr();
    denied.status = { conditions: [{ type: "Denied" }] };
    expect(isPending(denied)).toBe(false);
    const issued = await servingCsr();
    issued.status = { certificate: "LS0t" };
    expect(isPending(issued)).toBe(false);
    const deleting = await servingCsr();
    deleting.metadata.deletionTimestamp = "2026-11-23T10:00:00Z";
    expect(isPending(deleting)).toBe(false);
  });
});
