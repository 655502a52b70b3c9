import { describe, expect, it } from "vitest";
import { servingCsr } from "../policy/testing.js";
import { conditionText } from "./list.js";

describe("conditionText", () => {
  it("reads like kubectl get csr's CONDITION column", async () => {
    const csr = await servingCsr();
    expect(conditionText(csr)).toBe("Pending");
    csr.status = { conditions: [{ type: "Approved", status: "True" }], certificate: "LS0t" };
    expect(conditionText(csr)).toBe("Approved,Issued");
    csr.status = { conditions: [{ type: "Approved", status: "True" }, { type: "Failed" }] };
    expect(conditionText(csr)).toBe("Approved,Failed");
  });
});
