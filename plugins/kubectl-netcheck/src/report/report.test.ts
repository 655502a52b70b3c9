import type { Finding } from "@kubemend/lib/findings/finding";
import { describe, expect, it } from "vitest";
import { verdictOf } from "../checks/layers.js";
import { renderReport } from "./report.js";

const findings: Finding[] = [
  {
    code: "KUBE_PROXY_UNHEALTHY",
    severity: "critical",
    subject: { kind: "Pod", namespace: "kube-system", name: "kube-proxy-x" },
    message: "kube-proxy is not Ready",
    evidence: { node: "n3" },
    next: "kubectl logs -n kube-system kube-proxy-x --previous",
  },
  {
    code: "SELECTOR_NO_MATCH",
    severity: "critical",
    subject: { kind: "Service", namespace: "s1", name: "myapp" },
    message: "selector app=my-app matches no pod",
    evidence: {
      selector: { app: "my-app" },
      nearMisses: [
        { pod: "myapp-1", difference: "has app=myapp, the selector wants app=my-app" },
        { pod: "myapp-2", miss: { key: "app", want: "my-app", have: "myapp" } },
      ],
      long: "x".repeat(200),
    },
  },
];

describe("renderReport", () => {
  it("prints the verdict, then the findings in the guide's layer order with evidence and next", () => {
    const text = renderReport("Service s1/myapp", verdictOf(findings, "ok"), findings, {
      format: "table",
      color: false,
    });
    expect(text).toBe(
      [
        "Service s1/myapp: BROKEN at the selector: selector app=my-app matches no pod",
        "",
        "CRITICAL  SELECTOR_NO_MATCH  service/s1/myapp",
        "  selector app=my-app matches no pod",
        "  selector: app: my-app",
        "  nearMisses:",
        "    - pod: myapp-1; difference: has app=myapp, the selector wants app=my-app",
        "    - pod: myapp-2; miss: (key: app; want: my-app; have: myapp)",
        `  long: ${"x".repeat(153)}…`,
        "",
        "CRITICAL  KUBE_PROXY_UNHEALTHY  pod/kube-system/kube-proxy-x",
        "  kube-proxy is not Ready",
        "  node: n3",
        "  next: kubectl logs -n kube-system kube-proxy-x --previous",
        "",
      ].join("\n"),
    );
  });

  it("keeps long evidence whole with -o wide", () => {
    const text = renderReport("S", verdictOf(findings, "ok"), findings, { format: "wide", color: false });
    expect(text).toContain(`  long: ${"x".repeat(200)}\n`);
  });

  it("lists at most five items of a list, all of them with -o wide, and no JSON anywhere", () => {
    const many: Finding = {
      code: "PODS_NOT_READY",
      severity: "critical",
      subject: { kind: "Service", namespace: "s1", name: "myapp" },
      message: "0 of 7 selected pods are Ready",
      evidence: {
        ready: 0,
        publishNotReadyAddresses: false,
        pods: Array.from({ length: 7 }, (_, i) => ({ pod: `p${i}`, reason: "CrashLoopBackOff", node: null })),
        empty: [],
      },
    };
    const text = renderReport("S", verdictOf([many], "ok"), [many], { format: "table", color: false });
    expect(text).toContain(
      [
        "  ready: 0",
        "  publishNotReadyAddresses: false",
        "  pods:",
        "    - pod: p0; reason: CrashLoopBackOff; node: -",
      ].join("\n"),
    );
    expect(text).toContain(
      "    - pod: p4; reason: CrashLoopBackOff; node: -\n    … and 2 more (-o wide)\n  empty: none\n",
    );
    expect(text).not.toMatch(/[{}"]/);
    const wide = renderReport("S", verdictOf([many], "ok"), [many], { format: "wide", color: false });
    expect(wide).toContain("    - pod: p6; reason: CrashLoopBackOff; node: -\n");
    expect(wide).not.toContain("more (-o wide)");
  });

  it("JSON is a FindingList with the verdict", () => {
    const doc = JSON.parse(
      renderReport("S", verdictOf([], "all good"), [], { format: "json", color: false }),
    );
    expect(doc).toEqual({
      apiVersion: "kubemend.io/v1",
      kind: "FindingList",
      verdict: { status: "ok", message: "all good" },
      items: [],
    });
  });
});
