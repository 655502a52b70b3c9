import type { KubeClient, ResourceRef } from "@kubemend/lib/kube/client";
import { KubeApiError } from "@kubemend/lib/kube/errors";
import { describe, expect, it } from "vitest";
import { reviewCsr, supersede } from "../policy/review.js";
import { NODE, servingCsr } from "../policy/testing.js";
import type { CertificateSigningRequest } from "../policy/types.js";
import { carryOut, type Outcome } from "./carry-out.js";
import type { Plan } from "./plan.js";
import { servingPolicy } from "./policy.js";

const settings = { limits: { allowedCidrs: [] } };
async function planOf(csrs: CertificateSigningRequest[]): Promise<Plan> {
  const context = {
    nodes: new Map([
      [NODE.name, NODE],
      ["worker-2", { name: "worker-2", addresses: [] }],
    ]),
    serviceCidrs: ["10.96.0.0/12"],
    limits: { allowedCidrs: [] },
  };
  return {
    reviews: supersede(csrs.map((c) => reviewCsr(c, context))),
    missing: [],
    serviceCidrs: { cidrs: ["10.96.0.0/12"], source: "--service-cidr" },
  };
}

describe("carryOut", () => {
  it("keeps going when one CSR fails, and reports each CSR once", async () => {
    const [a, b, bad] = await Promise.all([
      servingCsr({ name: "csr-a", node: "worker-1" }),
      servingCsr({ name: "csr-b", node: "worker-2", sans: { dns: ["worker-2"] } }),
      servingCsr({ name: "csr-bad", node: "worker-1", usages: ["client auth"] }),
    ]);
    const written: string[] = [];
    const client = {
      async replace(ref: ResourceRef, body: CertificateSigningRequest) {
        if (ref.name === "csr-a") throw new KubeApiError("conflict", undefined, 409);
        const added = body.status?.conditions?.at(-1);
        written.push(`${ref.name}/${ref.subresource}:${added?.type}:${added?.reason}`);
        return body;
      },
      async get(ref: ResourceRef) {
        if (ref.resource === "nodes")
          throw new KubeApiError("the API server dropped the connection", undefined);
        return a;
      },
    } as unknown as KubeClient;
    const seen: Outcome[] = [];
    const outcomes = await carryOut(client, await planOf([a, b, bad]), {
      serverDryRun: false,
      denyInvalid: true,
      caller: "kubernetes-admin",
      policy: servingPolicy(settings),
      now: () => new Date("2026-11-23T12:00:00Z"),
      onOutcome: (o) => seen.push(o),
    });
    expect(outcomes.map((o) => [o.name, o.result, o.message])).toEqual([
      ["csr-a", "failed", "not decided: the API server dropped the connection"],
      ["csr-b", "approved", "approved"],
      [
        "csr-bad",
        "denied",
        'denied: usages: usage not allowed: client auth; usages: usages do not include "server auth"',
      ],
    ]);
    expect(seen).toHaveLength(3);
    // A denial carries a reason of its own, not the approval's.
    expect(written.sort()).toEqual([
      "csr-b/approval:Approved:KubemendApproveServing",
      "csr-bad/approval:Denied:KubemendDenyInvalid",
    ]);
  });

  it("leaves refused and superseded CSRs alone without --deny-invalid", async () => {
    const [older, newer, bad] = await Promise.all([
      servingCsr({ name: "csr-old", created: "2026-11-23T09:00:00Z" }),
      servingCsr({ name: "csr-new", created: "2026-11-23T10:00:00Z" }),
      servingCsr({ name: "csr-bad", usages: ["client auth", "server auth"] }),
    ]);
    const written: string[] = [];
    const client = {
      async replace(ref: ResourceRef, body: CertificateSigningRequest) {
        written.push(ref.name ?? "");
        return body;
      },
    } as unknown as KubeClient;
    const outcomes = await carryOut(client, await planOf([older, newer, bad]), {
      serverDryRun: false,
      denyInvalid: false,
      caller: "kubernetes-admin",
      policy: servingPolicy(settings),
      now: () => new Date(),
      onOutcome: () => {},
    });
    expect(outcomes.map((o) => [o.name, o.result, o.message])).toEqual([
      ["csr-old", "pending", "left pending: superseded by csr-new"],
      ["csr-new", "approved", "approved"],
      ["csr-bad", "pending", "left pending: usages: usage not allowed: client auth"],
    ]);
    expect(written).toEqual(["csr-new"]);
  });
});
