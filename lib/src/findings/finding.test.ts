import { describe, expect, it } from "vitest";
import { UsageError } from "../cli/errors.js";
import {
  exitCodeForFindings,
  type FailOn,
  type Finding,
  parseFailOn,
  parseSeverity,
  type Severity,
  severityRank,
  sortFindings,
  subjectText,
} from "./finding.js";

function finding(severity: Severity, code = "X", name = "n"): Finding {
  return { code, severity, subject: { kind: "Pod", namespace: "ns", name }, message: `${code} ${name}` };
}

function usageErrorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("severityRank", () => {
  it("orders info < warning < critical", () => {
    expect(["info", "warning", "critical"].map((s) => severityRank(s as Severity))).toEqual([0, 1, 2]);
  });
});

describe("exitCodeForFindings", () => {
  const mixed = [finding("info"), finding("warning")];
  const cases: [readonly Finding[], FailOn, number][] = [
    [[], "info", 0],
    [[], "critical", 0],
    [[finding("info")], "info", 1],
    [mixed, "info", 1],
    [mixed, "warning", 1],
    [mixed, "critical", 0],
    [[...mixed, finding("critical")], "critical", 1],
    [[finding("info")], "warning", 0],
    [[finding("critical")], "never", 0],
    [[finding("warning"), finding("critical")], "never", 0],
  ];
  it.each(cases)("%j with --fail-on %s → %d", (findings, failOn, code) => {
    expect(exitCodeForFindings(findings, failOn)).toBe(code);
  });
});

describe("parseSeverity / parseFailOn", () => {
  it.each(["info", "warning", "critical"])("accepts %s", (s) => {
    expect(parseSeverity(s)).toBe(s);
    expect(parseFailOn(s)).toBe(s);
  });

  it("parseFailOn accepts never", () => {
    expect(parseFailOn("never")).toBe("never");
  });

  it("parseSeverity rejects never", () => {
    expect(usageErrorOf(() => parseSeverity("never")).message).toBe('unknown severity "never"');
  });

  it.each(["", "Critical", "error", "warn", "none"])("rejects %j with a UsageError", (text) => {
    const err = usageErrorOf(() => parseFailOn(text));
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`unknown severity "${text}"`);
    expect(err.hint).toBe("use one of: info, warning, critical");
  });
});

describe("subjectText", () => {
  it("prints a namespaced object as kind/namespace/name with the kind lower-cased", () => {
    expect(subjectText({ kind: "Service", namespace: "kube-system", name: "dns" })).toBe(
      "service/kube-system/dns",
    );
  });

  it("prints a cluster-scoped object as kind/name", () => {
    expect(subjectText({ kind: "Node", name: "node-1" })).toBe("node/node-1");
  });

  it("prints a file and an endpoint as they are", () => {
    expect(subjectText({ file: "/etc/kubernetes/pki/apiserver.crt" })).toBe(
      "/etc/kubernetes/pki/apiserver.crt",
    );
    expect(subjectText({ endpoint: "127.0.0.1:6443" })).toBe("127.0.0.1:6443");
  });
});

describe("sortFindings", () => {
  it("puts the most severe first, then orders by code and subject", () => {
    const input = [
      finding("info", "B", "a"),
      finding("critical", "Z", "b"),
      finding("warning", "A", "z"),
      finding("critical", "A", "y"),
      finding("critical", "A", "x"),
      finding("info", "A", "a"),
      finding("warning", "A", "m"),
    ];
    const sorted = sortFindings(input);
    expect(sorted.map((f) => `${f.severity}:${f.code}:${(f.subject as { name: string }).name}`)).toEqual([
      "critical:A:x",
      "critical:A:y",
      "critical:Z:b",
      "warning:A:m",
      "warning:A:z",
      "info:A:a",
      "info:B:a",
    ]);
  });

  it("does not change its input", () => {
    const input = [finding("info", "A"), finding("critical", "B")];
    const before = [...input];
    sortFindings(input);
    expect(input).toEqual(before);
  });
});
