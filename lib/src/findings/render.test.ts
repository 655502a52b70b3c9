import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import type { Finding } from "./finding.js";
import { FINDING_LIST_KIND, renderFindings } from "./render.js";

const ESC = "\u001b";
/** The start of any ANSI escape sequence (a RegExp built from a string: biome bans control characters in literals). */
const ANSI = new RegExp(`${ESC}\\[`);

const findings: Finding[] = [
  {
    code: "CERT_EXPIRING",
    severity: "warning",
    subject: { file: "/etc/kubernetes/pki/apiserver.crt" },
    message: "expires in 20d",
    evidence: { notAfter: "2030-01-01T00:00:00Z" },
    next: "kubeadm certs renew apiserver",
  },
  {
    code: "CERT_EXPIRED",
    severity: "critical",
    subject: { endpoint: "127.0.0.1:10250" },
    message: "expired 3d ago",
  },
  {
    code: "CERT_INFO",
    severity: "info",
    subject: { kind: "Pod", namespace: "kube-system", name: "etcd" },
    message: "note",
  },
];

describe("renderFindings", () => {
  it("prints a plain table, most severe first, when colour is off", () => {
    const text = renderFindings(findings, { format: "table", color: false });
    expect(text).not.toMatch(ANSI);
    expect(text).toBe(
      [
        "SEVERITY   CODE            SUBJECT                             MESSAGE",
        "CRITICAL   CERT_EXPIRED    127.0.0.1:10250                     expired 3d ago",
        "WARNING    CERT_EXPIRING   /etc/kubernetes/pki/apiserver.crt   expires in 20d",
        "INFO       CERT_INFO       pod/kube-system/etcd                note",
        "",
      ].join("\n"),
    );
  });

  it("adds the NEXT column with -o wide", () => {
    const text = renderFindings(findings, { format: "wide", color: false });
    expect(text).not.toMatch(ANSI);
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      "SEVERITY   CODE            SUBJECT                             MESSAGE          NEXT",
    );
    expect(lines[1]).toBe("CRITICAL   CERT_EXPIRED    127.0.0.1:10250                     expired 3d ago");
    expect(lines[2]).toBe(
      "WARNING    CERT_EXPIRING   /etc/kubernetes/pki/apiserver.crt   expires in 20d   kubeadm certs renew apiserver",
    );
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });

  it("colours the severity when colour is on", () => {
    const text = renderFindings(findings, { format: "table", color: true });
    expect(text).toContain("\u001b[31mCRITICAL\u001b[39m");
    expect(text).toContain("\u001b[33mWARNING\u001b[39m");
    expect(text).toContain("INFO");
    // Colour does not shift the columns.
    expect(text.replace(new RegExp(`${ESC}\\[\\d+m`, "g"), "")).toBe(
      renderFindings(findings, { format: "table", color: false }),
    );
  });

  it("prints 'No findings.' for an empty table", () => {
    expect(renderFindings([], { format: "table", color: false })).toBe("No findings.\n");
    expect(renderFindings([], { format: "wide", color: true })).toBe("No findings.\n");
  });

  it("prints a FindingList in JSON, sorted", () => {
    const parsed = JSON.parse(renderFindings(findings, { format: "json", color: true })) as {
      apiVersion: string;
      kind: string;
      items: Finding[];
    };
    expect(parsed.apiVersion).toBe("kubemend.io/v1");
    expect(parsed.kind).toBe("FindingList");
    expect(parsed.items.map((f) => f.code)).toEqual(["CERT_EXPIRED", "CERT_EXPIRING", "CERT_INFO"]);
    expect(parsed.items[1]).toEqual(findings[0]);
  });

  it("prints an empty FindingList in JSON, not 'No findings.'", () => {
    expect(JSON.parse(renderFindings([], { format: "json", color: false }))).toEqual({
      ...FINDING_LIST_KIND,
      items: [],
    });
  });

  it("prints the same FindingList in YAML", () => {
    const text = renderFindings(findings, { format: "yaml", color: true });
    expect(text).not.toMatch(ANSI);
    expect(load(text)).toEqual(JSON.parse(renderFindings(findings, { format: "json", color: false })));
    expect(text.startsWith("apiVersion: kubemend.io/v1\nkind: FindingList\nitems:\n")).toBe(true);
  });
});
