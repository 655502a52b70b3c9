import { describe, expect, it } from "vitest";
import { type Lease, leaseStep } from "./lease.js";

const now = new Date("2026-11-23T12:00:00.000Z");
const lease = (holder: string, renewed: string): Lease => ({
  metadata: { name: "kubemend-csr-approver", resourceVersion: "7" },
  spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime: renewed, leaseTransitions: 2 },
});

describe("leaseStep", () => {
  it("acquires a lease nobody holds yet", () => {
    expect(leaseStep(undefined, "pod-a", now, 15)).toEqual({
      action: "write",
      leading: true,
      spec: {
        holderIdentity: "pod-a",
        leaseDurationSeconds: 15,
        acquireTime: "2026-11-23T12:00:00.000000Z",
        renewTime: "2026-11-23T12:00:00.000000Z",
        leaseTransitions: 0,
      },
    });
  });

  it("renews its own lease and keeps the acquire time", () => {
    // Acquired an hour ago, last renewed five seconds ago: renewing moves renewTime only.
    const held = lease("pod-a", "2026-11-23T11:59:55.000000Z");
    held.spec = { ...held.spec, acquireTime: "2026-11-23T11:00:00.000000Z" };
    const step = leaseStep(held, "pod-a", now, 15);
    expect(step).toEqual({
      action: "write",
      leading: true,
      spec: {
        holderIdentity: "pod-a",
        leaseDurationSeconds: 15,
        acquireTime: "2026-11-23T11:00:00.000000Z",
        renewTime: "2026-11-23T12:00:00.000000Z",
        leaseTransitions: 2,
      },
    });
  });

  it("waits while another holder's lease is fresh", () => {
    expect(leaseStep(lease("pod-b", "2026-11-23T11:59:50.000000Z"), "pod-a", now, 15)).toEqual({
      action: "wait",
      holder: "pod-b",
      leading: false,
    });
  });

  it("takes over a lease its holder stopped renewing, counting the transition", () => {
    const step = leaseStep(lease("pod-b", "2026-11-23T11:59:44.000000Z"), "pod-a", now, 15);
    expect(step).toMatchObject({ action: "write", spec: { holderIdentity: "pod-a", leaseTransitions: 3 } });
  });
});
