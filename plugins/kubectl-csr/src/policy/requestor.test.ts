import { describe, expect, it } from "vitest";
import { requestingNode, requestorRule } from "./requestor.js";
import { servingCsr, underReview } from "./testing.js";

describe("requestor rule", () => {
  it("holds for a node in system:nodes and system:authenticated", async () => {
    const csr = await servingCsr();
    expect(requestingNode(csr)).toBe("worker-1");
    expect(requestorRule(underReview(csr))).toEqual([]);
  });

  it("refuses a CSR filed by a user who is not a node", async () => {
    const csr = await servingCsr({ username: "kubernetes-admin", groups: ["system:authenticated"] });
    expect(requestingNode(csr)).toBeUndefined();
    expect(requestorRule(underReview(csr))).toEqual([
      {
        rule: "requestor",
        message: 'requested by "kubernetes-admin", not by a node (system:node:<name>)',
      },
      { rule: "requestor", message: "requestor is not in group system:nodes" },
    ]);
  });

  it("refuses system:node: with no name, and a node outside system:authenticated", async () => {
    const empty = await servingCsr({ username: "system:node:" });
    expect(requestingNode(empty)).toBeUndefined();
    const unauthenticated = await servingCsr({ groups: ["system:nodes"] });
    expect(requestorRule(underReview(unauthenticated))).toEqual([
      { rule: "requestor", message: "requestor is not in group system:authenticated" },
    ]);
  });
});

describe("requestor rule, missing fields", () => {
  it("names both groups when the requestor is in neither", async () => {
    const csr = await servingCsr({ groups: [] });
    expect(requestorRule(underReview(csr))).toEqual([
      { rule: "requestor", message: "requestor is not in group system:nodes and system:authenticated" },
    ]);
  });

  it("reads a missing spec.username as empty and missing spec.groups as none", async () => {
    const csr = await servingCsr();
    delete csr.spec.username;
    delete csr.spec.groups;
    expect(requestingNode(csr)).toBeUndefined();
    expect(requestorRule(underReview(csr))).toEqual([
      { rule: "requestor", message: 'requested by "", not by a node (system:node:<name>)' },
      { rule: "requestor", message: "requestor is not in group system:nodes and system:authenticated" },
    ]);
  });
});
