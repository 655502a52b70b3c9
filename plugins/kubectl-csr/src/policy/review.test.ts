import { describe, expect, it } from "vitest";
import { approvedCsr, reviewCsr, supersede } from "./review.js";
import { NODE, servingCsr } from "./testing.js";

const context = {
  nodes: new Map([[NODE.name, NODE]]),
  serviceCidrs: ["10.96.0.0/12"],
  limits: { allowedCidrs: [] },
};

describe("reviewCsr", () => {
  it("approves a kubelet's own serving CSR", async () => {
    const review = reviewCsr(await servingCsr(), context);
    expect(review).toMatchObject({
      name: "csr-abcde",
      node: "worker-1",
      verdict: "approve",
      violations: [],
      sans: { dns: ["worker-1"], ip: ["10.2.1.152"], email: [], uri: [] },
    });
  });

  it("spells out every failing rule, in rule order", async () => {
    const csr = await servingCsr({
      key: "rsa-1024",
      o: ["system:masters"],
      usages: ["server auth", "client auth"],
      sans: { dns: ["*.example"], ip: ["10.96.0.1"] },
    });
    const review = reviewCsr(csr, context);
    expect(review.verdict).toBe("refuse");
    expect(review.violations.map((v) => v.rule)).toEqual([
      "request",
      "usages",
      "sans",
      "node-addresses",
      "node-addresses",
      "key",
    ]);
  });

  it("refuses a CSR whose node is unknown", async () => {
    const review = reviewCsr(await servingCsr({ node: "ghost", sans: { dns: ["ghost"] } }), context);
    expect(review.violations).toEqual([{ rule: "node-addresses", message: 'node "ghost" does not exist' }]);
  });
});

describe("supersede", () => {
  it("approves only the newest valid CSR of a node and names it on the others", async () => {
    const [older, newer, other, invalid] = await Promise.all([
      servingCsr({ name: "csr-old", created: "2026-11-23T10:00:00Z" }),
      servingCsr({ name: "csr-new", created: "2026-11-23T11:00:00Z" }),
      servingCsr({ name: "csr-w2", node: "worker-2", sans: { dns: ["worker-2"] } }),
      servingCsr({ name: "csr-newest-bad", created: "2026-11-23T12:00:00Z", usages: ["client auth"] }),
    ]);
    const nodes = new Map([
      [NODE.name, NODE],
      ["worker-2", { name: "worker-2", addresses: [] }],
    ]);
    const planned = supersede([older, newer, other, invalid].map((c) => reviewCsr(c, { ...context, nodes })));
    expect(planned.map((r) => [r.name, r.verdict, r.supersededBy])).toEqual([
      ["csr-old", "superseded", "csr-new"],
      ["csr-new", "approve", undefined],
      ["csr-w2", "approve", undefined],
      ["csr-newest-bad", "refuse", undefined],
    ]);
  });

  it("supersedes a pending CSR older than one the node already had approved", async () => {
    const [stale, fresh] = await Promise.all([
      servingCsr({ name: "csr-stale", created: "2026-11-23T10:00:00Z" }),
      servingCsr({
        name: "csr-fresh",
        node: "worker-2",
        created: "2026-11-23T10:00:00Z",
        sans: { dns: ["worker-2"] },
      }),
    ]);
    const nodes = new Map([
      [NODE.name, NODE],
      ["worker-2", { name: "worker-2", addresses: [] }],
    ]);
    const approved = [
      { name: "csr-issued", node: "worker-1", creationTimestamp: "2026-11-23T11:00:00Z" },
      { name: "csr-older-issued", node: "worker-2", creationTimestamp: "2026-11-23T09:00:00Z" },
    ];
    const planned = supersede(
      [stale, fresh].map((c) => reviewCsr(c, { ...context, nodes })),
      approved,
    );
    expect(planned.map((r) => [r.name, r.verdict, r.supersededBy])).toEqual([
      ["csr-stale", "superseded", "csr-issued"],
      ["csr-fresh", "approve", undefined],
    ]);
  });

  it("breaks a creationTimestamp tie by name", async () => {
    const [a, b] = await Promise.all([servingCsr({ name: "csr-a" }), servingCsr({ name: "csr-b" })]);
    const planned = supersede([a, b].map((c) => reviewCsr(c, context)));
    expect(planned.map((r) => r.verdict)).toEqual(["superseded", "approve"]);
    const reversed = supersede([b, a].map((c) => reviewCsr(c, context)));
    expect(reversed.map((r) => [r.name, r.verdict, r.supersededBy])).toEqual([
      ["csr-b", "approve", undefined],
      ["csr-a", "superseded", "csr-b"],
    ]);
  });

  it("takes a CSR without creationTimestamp as the oldest", async () => {
    const [undated, dated] = await Promise.all([
      servingCsr({ name: "csr-undated" }),
      servingCsr({ name: "csr-dated", created: "2026-11-23T10:00:00Z" }),
    ]);
    delete undated.metadata.creationTimestamp;
    const planned = supersede([undated, dated].map((c) => reviewCsr(c, context)));
    expect(planned.map((r) => [r.name, r.verdict, r.supersededBy])).toEqual([
      ["csr-undated", "superseded", "csr-dated"],
      ["csr-dated", "approve", undefined],
    ]);
  });
});

describe("approvedCsr", () => {
  it("is the node, name and creation time of a node's approved CSR", async () => {
    const csr = await servingCsr({ name: "csr-issued", created: "2026-11-23T11:00:00Z" });
    csr.status = { conditions: [{ type: "Approved", status: "True" }], certificate: "LS0t" };
    expect(approvedCsr(csr)).toEqual({
      name: "csr-issued",
      node: "worker-1",
      creationTimestamp: "2026-11-23T11:00:00Z",
    });
    delete csr.metadata.creationTimestamp;
    expect(approvedCsr(csr)).toEqual({ name: "csr-issued", node: "worker-1", creationTimestamp: "" });
  });

  it("is undefined for a pending, denied or non-node CSR", async () => {
    expect(approvedCsr(await servingCsr())).toBeUndefined();
    const denied = await servingCsr();
    denied.status = { conditions: [{ type: "Denied", status: "True" }] };
    expect(approvedCsr(denied)).toBeUndefined();
    const admin = await servingCsr({ username: "kubernetes-admin" });
    admin.status = { conditions: [{ type: "Approved", status: "True" }] };
    expect(approvedCsr(admin)).toBeUndefined();
  });
});
