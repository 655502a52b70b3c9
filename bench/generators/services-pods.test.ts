import { describe, expect, it } from "vitest";
import { planServices, podCidr } from "./services-pods.js";

const workload = { seed: 4, services: 50, pods: 450, namespaces: 6, block: 9 };

describe("planServices", () => {
  it("is the same for the same seed", () => {
    expect(planServices(workload)).toEqual(planServices(workload));
  });

  it("selects at least one pod per Service and keeps nodes under the kubelet's pod limit", () => {
    const plan = planServices(workload);
    expect(plan.services).toHaveLength(50);
    expect(plan.pods).toHaveLength(450);
    expect(plan.nodes).toBe(5);
    for (let s = 0; s < 50; s++) expect(plan.pods.some((p) => p.service === s)).toBe(true);
    for (let n = 0; n < plan.nodes; n++)
      expect(plan.pods.filter((p) => p.node === n).length).toBeLessThanOrEqual(110);
    for (const p of plan.pods) expect(p.namespace).toBe(plan.services[p.service]?.namespace);
  });

  it("gives every pod a unique address inside its node's pod CIDR", () => {
    const plan = planServices(workload);
    expect(new Set(plan.pods.map((p) => p.ip)).size).toBe(450);
    for (const p of plan.pods) expect(p.ip.startsWith(podCidr(p.node).replace(/0\/24$/, ""))).toBe(true);
    expect(new Set(plan.pods.map((p) => `${p.namespace}/${p.name}`)).size).toBe(450);
  });

  it("cuts 172.16.0.0/12 into per-node /24s", () => {
    expect(podCidr(0)).toBe("172.16.0.0/24");
    expect(podCidr(257)).toBe("172.17.1.0/24");
  });
});
