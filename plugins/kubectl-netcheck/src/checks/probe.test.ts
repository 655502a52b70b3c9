import { describe, expect, it } from "vitest";
import type { ProbeRun } from "../probe/probe.js";
import { verdictOf } from "./layers.js";
import { checkProbes } from "./probe.js";

const subject = { kind: "Service", namespace: "shop", name: "web" };
const pod = {
  name: "netcheck-probe-1a2b3c4d",
  namespace: "shop",
  image: "busybox:1.37",
  deadlineSeconds: 3,
  node: "worker-2",
};

describe("checkProbes with the probe pod", () => {
  it("a pod that never completed is inconclusive, not a broken network", () => {
    const run: ProbeRun = {
      method: "pod",
      denied: [],
      probes: [],
      pod: { ...pod, completed: false, phase: "Pending", reason: "ImagePullBackOff" },
    };
    const findings = checkProbes(run, subject);
    expect(findings.map((f) => [f.code, f.severity])).toEqual([["PROBE_INCOMPLETE", "warning"]]);
    expect(findings[0]?.message).toBe(
      "the probe pod shop/netcheck-probe-1a2b3c4d did not complete within its 3s deadline (Pending: ImagePullBackOff); it was deleted",
    );
    expect(verdictOf(findings, "ok")).toMatchObject({ status: "degraded", layer: "probe" });
  });

  it("a ClusterIP the pod could not reach points at kube-proxy; reached pods raise nothing", () => {
    const run: ProbeRun = {
      method: "pod",
      denied: [],
      pod: { ...pod, completed: true, phase: "Succeeded" },
      probes: [
        {
          target: "dns web.shop.svc.cluster.local",
          via: "probe-pod",
          kind: "dns",
          result: { outcome: "ok", detail: "resolves to 10.96.0.12" },
        },
        {
          target: "cluster-ip 10.96.0.12:80",
          via: "probe-pod",
          kind: "cluster-ip",
          result: { outcome: "timeout", detail: "nc: timed out" },
        },
        {
          target: "pod web-0 (10.244.1.5:8080)",
          via: "probe-pod",
          kind: "pod",
          result: { outcome: "http-error", status: 503 },
        },
      ],
    };
    const findings = checkProbes(run, subject);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      code: "PROBE_FAILED",
      message: "the probe pod could not reach cluster-ip 10.96.0.12:80: timeout: nc: timed out",
      evidence: { node: "worker-2" },
    });
    expect(findings[0]?.next).toContain("kube-proxy");
  });

  it("RBAC that forbids the pod skips it and says which permission is missing", () => {
    const findings = checkProbes(
      { method: "pod", denied: ['create pods in namespace "shop"'], probes: [] },
      subject,
    );
    expect(findings[0]).toMatchObject({
      code: "PROBE_SKIPPED",
      severity: "info",
      next: "kubectl auth can-i create pods -n shop",
    });
  });
});
