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
    evidence: { selector: { app: "my-app" }, long: "x".repeat(200) },
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
        '  selector: {"app":"my-app"}',
        `  long: ${"x".repeat(159)}…`,
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
