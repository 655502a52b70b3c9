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

describe("checkProbes, findings in full", () => {
  it("RBAC that forbids the proxy subresources", () => {
    expect(
      checkProbes({ method: "proxy", denied: ["services/proxy", "pods/proxy"], probes: [] }, subject),
    ).toEqual([
      {
        code: "PROBE_SKIPPED",
        severity: "info",
        subject,
        message: "not probed through services/proxy and pods/proxy: RBAC does not allow it",
        evidence: { method: "proxy", denied: ["services/proxy", "pods/proxy"] },
        next: "kubectl auth can-i get services/proxy -n shop",
      },
    ]);
    expect(checkProbes({ method: "pod", denied: ["a", "b"], probes: [] }, subject)[0]?.message).toBe(
      "no probe pod: RBAC does not allow a, b",
    );
  });

  it("an incomplete probe pod in full, its state shown once, or not at all", () => {
    const incomplete = (phase?: string, reason?: string) =>
      checkProbes(
        { method: "pod", denied: [], probes: [], pod: { ...pod, completed: false, phase, reason } },
        subject,
      );
    expect(incomplete("Pending", "Pending")).toEqual([
      {
        code: "PROBE_INCOMPLETE",
        severity: "warning",
        subject,
        message:
          "the probe pod shop/netcheck-probe-1a2b3c4d did not complete within its 3s deadline (Pending); it was deleted",
        evidence: {
          pod: "netcheck-probe-1a2b3c4d",
          image: "busybox:1.37",
          activeDeadlineSeconds: 3,
          phase: "Pending",
          reason: "Pending",
          node: "worker-2",
        },
        next: "check that a pod can be scheduled in shop and can pull busybox:1.37 (--probe-image for a mirror, --probe-deadline for longer)",
      },
    ]);
    expect(incomplete(undefined, undefined)[0]?.message).toBe(
      "the probe pod shop/netcheck-probe-1a2b3c4d did not complete within its 3s deadline; it was deleted",
    );
    expect(incomplete(undefined, "DeadlineExceeded")[0]?.message).toBe(
      "the probe pod shop/netcheck-probe-1a2b3c4d did not complete within its 3s deadline (DeadlineExceeded); it was deleted",
    );
  });

  it("each failed probe in full, with the next step for its kind", () => {
    const failed = (
      kind: "dns" | "service" | "cluster-ip" | "pod" | undefined,
      outcome: "timeout" | "nxdomain" = "timeout",
    ) => ({
      target: `t-${kind}`,
      via: "probe-pod" as const,
      ...(kind && { kind }),
      result: { outcome, detail: "d" },
    });
    const findings = checkProbes(
      {
        method: "pod",
        denied: [],
        pod: { ...pod, completed: true },
        probes: [
          failed("dns"),
          failed("service", "nxdomain"),
          failed("service"),
          failed("cluster-ip"),
          failed("pod"),
          {
            target: "pod shop/web-1:8080",
            via: "pods/proxy",
            result: { outcome: "refused", detail: "connection refused" },
          },
        ],
      },
      subject,
    );
    expect(findings.map((f) => f.next)).toEqual([
      "cluster DNS does not answer for the Service: kubectl netcheck dns",
      "the Service name does not resolve from a pod: kubectl netcheck dns",
      "the ClusterIP path failed by name: compare with the ClusterIP probe, then kube-proxy on the probe pod's node",
      "the ClusterIP is not forwarded: kube-proxy's rules on the probe pod's node (kubectl -n kube-system logs -l k8s-app=kube-proxy)",
      "pod-to-pod traffic failed: the CNI on both nodes, a NetworkPolicy, or the container not listening on the port",
      "the API server dials the pod IP directly: check the pod, the node's CNI and routes from the control plane",
    ]);
    expect(findings[5]).toEqual({
      code: "PROBE_FAILED",
      severity: "critical",
      subject,
      message:
        "the API server could not reach pod shop/web-1:8080 through pods/proxy: refused: connection refused",
      evidence: {
        target: "pod shop/web-1:8080",
        via: "pods/proxy",
        result: { outcome: "refused", detail: "connection refused" },
        node: "worker-2",
      },
      next: "the API server dials the pod IP directly: check the pod, the node's CNI and routes from the control plane",
    });
    expect(
      checkProbes({ method: "proxy", denied: [], probes: [failed("pod")] }, subject)[0]?.evidence,
    ).toEqual({
      target: "t-pod",
      via: "probe-pod",
      result: { outcome: "timeout", detail: "d" },
      node: undefined,
    });
  });
});

describe("checkProbes through the API server's proxy", () => {
  const run = (outcome: "timeout" | "unreachable" | "refused", via: "services/proxy" | "probe-pod") =>
    checkProbes(
      {
        method: via === "probe-pod" ? "pod" : "proxy",
        denied: [],
        probes: [
          {
            target: "service shop/web:80",
            via,
            kind: "cluster-ip",
            result: { outcome, detail: "d" },
          },
        ],
      } as ProbeRun,
      subject,
    );

  it.each(["timeout", "unreachable"] as const)(
    "a %s may be the API server's own route to pod IPs: a warning that says so, never BROKEN",
    (outcome) => {
      const findings = run(outcome, "services/proxy");
      expect(findings.map((f) => [f.code, f.severity])).toEqual([["PROBE_FAILED", "warning"]]);
      expect(findings[0]?.message).toBe(
        `the API server could not reach service shop/web:80 through services/proxy: ${outcome}: d; this may only mean that the API server has no route to pod IPs (--probe-pod tests from inside the cluster)`,
      );
      expect(verdictOf(findings, "ok").status).toBe("degraded");
    },
  );

  it("a refusal is the target's own answer: critical through the proxy too", () => {
    expect(run("refused", "services/proxy").map((f) => f.severity)).toEqual(["critical"]);
  });

  it("the same timeout from a probe pod is what clients see: critical", () => {
    const findings = run("timeout", "probe-pod");
    expect(findings.map((f) => f.severity)).toEqual(["critical"]);
    expect(verdictOf(findings, "ok").status).toBe("broken");
  });
});
