import { describe, expect, it } from "vitest";
import type { Plan } from "../approval/plan.js";
import { reviewCsr, supersede } from "../policy/review.js";
import { NODE, servingCsr } from "../policy/testing.js";
import { outcomeLine, planDocument, renderPlanTable, sansText } from "./plan.js";

const now = new Date("2026-11-23T10:05:00Z");

async function plan(): Promise<Plan> {
  const context = {
    nodes: new Map([[NODE.name, NODE]]),
    serviceCidrs: ["10.96.0.0/12"],
    limits: { allowedCidrs: [] },
  };
  const csrs = await Promise.all([
    servingCsr({ name: "csr-good" }),
    servingCsr({
      name: "csr-bad",
      sans: { dns: ["worker-1"], ip: ["10.96.0.1"] },
      created: "2026-11-23T09:00:00Z",
    }),
  ]);
  return {
    reviews: supersede(csrs.map((c) => reviewCsr(c, context))),
    missing: ["csr-gone"],
    serviceCidrs: { cidrs: ["10.96.0.0/12"], source: "--service-cidr" },
  };
}

describe("plan report", () => {
  it("renders the plan as a kubectl-style table with every failing rule spelled out", async () => {
    expect(renderPlanTable(await plan(), false, false, now)).toBe(
      [
        "CSR        NODE       SANS                         VERDICT   REASON",
        "csr-good   worker-1   DNS:worker-1,IP:10.2.1.152   Approve   every rule holds",
        "csr-bad    worker-1   DNS:worker-1,IP:10.96.0.1    Refuse    node-addresses: IP SAN 10.96.0.1 is in the Service CIDR 10.96.0.0/12",
        "",
      ].join("\n"),
    );
  });

  it("adds AGE and REQUESTOR with -o wide, and colours verdicts only when asked", async () => {
    const wide = renderPlanTable(await plan(), true, true, now);
    expect(wide.split("\n")[0]).toMatch(/^CSR\s+AGE\s+REQUESTOR\s+NODE\s+SANS\s+VERDICT\s+REASON$/);
    expect(wide).toContain("5m");
    expect(wide).toContain("\u001b[32mApprove\u001b[39m");
    expect(wide).toContain("\u001b[31mRefuse\u001b[39m");
  });

  it("prints outcome lines as kubectl does, marking a server dry run", () => {
    expect(
      outcomeLine({ name: "csr-good", result: "approved", message: "approved", serverDryRun: true }),
    ).toBe("certificatesigningrequest.certificates.k8s.io/csr-good approved (server dry run)");
  });

  it("documents the plan and outcomes in JSON", async () => {
    const doc = planDocument(await plan(), { dryRun: "none", caller: "kubernetes-admin" }, [
      { name: "csr-good", result: "approved", message: "approved" },
    ]);
    expect(doc).toMatchObject({
      apiVersion: "kubemend.io/v1",
      kind: "ServingCsrApproval",
      caller: "kubernetes-admin",
      missing: ["csr-gone"],
      items: [
        { name: "csr-good", node: "worker-1", verdict: "approve", outcome: { result: "approved" } },
        {
          name: "csr-bad",
          verdict: "refuse",
          violations: [
            { rule: "node-addresses", message: "IP SAN 10.96.0.1 is in the Service CIDR 10.96.0.0/12" },
          ],
        },
      ],
    });
    expect(doc.items[1]).not.toHaveProperty("outcome");
  });

  it("lists SANs by kind, and says when there are none or the request does not parse", () => {
    expect(sansText({ dns: ["a"], ip: ["10.0.0.1"], email: ["x@y"], uri: ["spiffe://z"] })).toBe(
      "DNS:a,IP:10.0.0.1,email:x@y,URI:spiffe://z",
    );
    expect(sansText({ dns: [], ip: [], email: [], uri: [] })).toBe("<none>");
    expect(sansText(undefined)).toBe("<unparsable>");
  });
});
