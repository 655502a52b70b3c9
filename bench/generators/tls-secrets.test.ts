import { describe, expect, it } from "vitest";
import { planSecrets } from "./tls-secrets.js";

const now = new Date("2026-06-01T00:00:00Z");
const workload = { seed: 11, tls: 200, other: 100, broken: 12, namespaces: 8, now };

describe("planSecrets", () => {
  it("is the same for the same seed and differs for another", () => {
    expect(planSecrets(workload)).toEqual(planSecrets(workload));
    expect(planSecrets({ ...workload, seed: 12 })).not.toEqual(planSecrets(workload));
  });

  it("has exactly the requested counts, with unique names per namespace", () => {
    const plan = planSecrets(workload);
    const count = (kind: string) => plan.filter((p) => p.kind === kind).length;
    expect(count("tls")).toBe(200);
    expect(count("broken-tls")).toBe(12);
    expect(count("opaque") + count("service-account-token") + count("helm-release")).toBe(100);
    expect([count("opaque"), count("service-account-token"), count("helm-release")]).toEqual([50, 20, 30]);
    expect(new Set(plan.map((p) => `${p.namespace}/${p.name}`)).size).toBe(plan.length);
    const namespaces = new Set(plan.map((p) => p.namespace));
    expect(namespaces.size).toBeGreaterThan(1);
    expect(namespaces.size).toBeLessThanOrEqual(8);
  });

  it("mixes key types and expiry: 30% RSA, 5% expired, 10% within a week", () => {
    const tls = planSecrets(workload).flatMap((p) => (p.tls ? [p.tls] : []));
    expect(tls.filter((t) => t.key === "rsa-2048")).toHaveLength(60);
    expect(tls.filter((t) => t.key.startsWith("ecdsa"))).toHaveLength(140);
    const days = tls.map((t) => (t.notAfter.getTime() - now.getTime()) / 86_400_000);
    expect(days.filter((d) => d < 0)).toHaveLength(10);
    expect(days.filter((d) => d >= 0 && d < 7)).toHaveLength(20);
    for (const t of tls) expect(t.notBefore.getTime()).toBeLessThan(t.notAfter.getTime());
    expect(new Set(tls.map((t) => t.serial)).size).toBe(200);
  });

  it("names Helm revisions as Helm does, counting up per release", () => {
    const helm = planSecrets(workload).filter((p) => p.kind === "helm-release");
    for (const h of helm)
      expect(h.name).toBe(`sh.helm.release.v1.${h.release?.name}.v${h.release?.revision}`);
    expect(helm.some((h) => (h.release?.revision ?? 0) > 1)).toBe(true);
  });
});
