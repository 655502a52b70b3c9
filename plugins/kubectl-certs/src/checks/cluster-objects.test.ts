import { describe, expect, it } from "vitest";
import { DAY, NOW, thresholds } from "../testing.js";
import { checkApiServices, checkBootstrapTokens, checkRootCaCopies } from "./cluster-objects.js";

describe("checkBootstrapTokens (S5)", () => {
  it("reports an expired token and one about to expire, never the token secret", () => {
    const findings = checkBootstrapTokens(
      [
        {
          name: "bootstrap-token-abcdef",
          tokenId: "abcdef",
          expiration: new Date(NOW.getTime() - 2 * DAY),
          deleting: false,
        },
        {
          name: "bootstrap-token-ghijkl",
          tokenId: "ghijkl",
          expiration: new Date(NOW.getTime() + DAY),
          deleting: false,
        },
        {
          name: "bootstrap-token-mnopqr",
          tokenId: "mnopqr",
          expiration: new Date(NOW.getTime() + 20 * DAY),
          deleting: false,
        },
        { name: "bootstrap-token-never0", tokenId: "never0", deleting: false },
      ],
      thresholds,
    );
    expect(findings.map((f) => [f.code, f.evidence?.tokenId])).toEqual([
      ["BOOTSTRAP_TOKEN_EXPIRED", "abcdef"],
      ["BOOTSTRAP_TOKEN_EXPIRING", "ghijkl"],
    ]);
    expect(findings[0]?.message).toBe(
      "bootstrap token abcdef expired 2d ago (2026-05-30T00:00:00.000Z): kubelets bootstrapping with it are refused",
    );
    expect(findings[0]?.next).toContain("kubeadm token create --print-join-command");
  });

  it("reports an expiration that is not a time", () => {
    const findings = checkBootstrapTokens(
      [{ name: "bootstrap-token-bad000", badExpiration: true, deleting: false }],
      thresholds,
    );
    expect(findings.map((f) => f.code)).toEqual(["BOOTSTRAP_TOKEN_UNPARSABLE"]);
  });
});

describe("checkApiServices", () => {
  it("S4: metrics.k8s.io unavailable, with the aggregator's reason", () => {
    const findings = checkApiServices([
      {
        name: "v1beta1.metrics.k8s.io",
        service: "kube-system/metrics-server",
        available: "False",
        reason: "FailedDiscoveryCheck",
        message: "the server is currently unable to handle the request",
      },
      { name: "v1.example.com", service: "ns/svc", available: "True" },
    ]);
    expect(findings.map((f) => [f.code, f.message])).toEqual([
      [
        "APISERVICE_UNAVAILABLE",
        "v1beta1.metrics.k8s.io: FailedDiscoveryCheck: the server is currently unable to handle the request",
      ],
    ]);
  });
});

describe("checkRootCaCopies", () => {
  it("flags namespaces whose kube-root-ca.crt differs from kube-system's", () => {
    const findings = checkRootCaCopies([
      { namespace: "kube-system", fingerprints: ["aa", "bb"] },
      { namespace: "default", fingerprints: ["bb", "aa"] },
      { namespace: "old", fingerprints: ["aa"] },
    ]);
    expect(findings.map((f) => [f.code, f.subject])).toEqual([
      ["ROOT_CA_STALE", { kind: "ConfigMap", namespace: "old", name: "kube-root-ca.crt" }],
    ]);
  });
});

describe("cluster-object findings in full", () => {
  it("APISERVICE_UNAVAILABLE with every field, and the aggregator's defaults when it says nothing", () => {
    expect(
      checkApiServices([
        { name: "v1beta1.metrics.k8s.io", service: "kube-system/metrics-server", available: "Unknown" },
      ]),
    ).toEqual([
      {
        code: "APISERVICE_UNAVAILABLE",
        severity: "critical",
        subject: { kind: "APIService", name: "v1beta1.metrics.k8s.io" },
        message: "v1beta1.metrics.k8s.io: not Available",
        evidence: {
          service: "kube-system/metrics-server",
          available: "Unknown",
          reason: undefined,
          message: undefined,
        },
        next: "check the pods behind service kube-system/metrics-server and that the APIService caBundle holds the CA of their serving certificate (kubectl describe apiservice v1beta1.metrics.k8s.io)",
      },
    ]);
  });

  it("bootstrap tokens: every field of each finding, the name when there is no token id", () => {
    const next = "create a new token for joining nodes: kubeadm token create --print-join-command";
    const findings = checkBootstrapTokens(
      [
        { name: "bootstrap-token-bad000", badExpiration: true, deleting: true },
        { name: "bootstrap-token-abcdef", expiration: new Date(NOW.getTime() - 1), deleting: false },
        { name: "bootstrap-token-now000", tokenId: "now000", expiration: NOW, deleting: false },
        {
          name: "bootstrap-token-ghijkl",
          tokenId: "ghijkl",
          expiration: new Date(NOW.getTime() + 7 * DAY),
          deleting: false,
        },
        {
          name: "bootstrap-token-later0",
          expiration: new Date(NOW.getTime() + 7 * DAY + 1),
          deleting: false,
        },
      ],
      thresholds,
    );
    const subject = (name: string) => ({ kind: "Secret", namespace: "kube-system", name });
    expect(findings).toEqual([
      {
        code: "BOOTSTRAP_TOKEN_UNPARSABLE",
        severity: "warning",
        subject: subject("bootstrap-token-bad000"),
        message: "bootstrap-token-bad000: the expiration is not an RFC 3339 time",
        evidence: { tokenId: undefined, expiration: undefined, deleting: true },
        next,
      },
      {
        code: "BOOTSTRAP_TOKEN_EXPIRED",
        severity: "warning",
        subject: subject("bootstrap-token-abcdef"),
        message:
          "bootstrap token bootstrap-token-abcdef expired 0s ago (2026-05-31T23:59:59.999Z): kubelets bootstrapping with it are refused",
        evidence: { tokenId: undefined, expiration: "2026-05-31T23:59:59.999Z" },
        next: `${next}; update the bootstrap kubeconfig of nodes that still use it`,
      },
      {
        code: "BOOTSTRAP_TOKEN_EXPIRED",
        severity: "warning",
        subject: subject("bootstrap-token-now000"),
        message:
          "bootstrap token now000 expired 0s ago (2026-06-01T00:00:00.000Z): kubelets bootstrapping with it are refused",
        evidence: { tokenId: "now000", expiration: "2026-06-01T00:00:00.000Z" },
        next: `${next}; update the bootstrap kubeconfig of nodes that still use it`,
      },
      {
        code: "BOOTSTRAP_TOKEN_EXPIRING",
        severity: "info",
        subject: subject("bootstrap-token-ghijkl"),
        message: "bootstrap token ghijkl expires in 7d",
        evidence: { tokenId: "ghijkl", expiration: "2026-06-08T00:00:00.000Z" },
        next,
      },
    ]);
    expect(Object.keys(findings[1]?.evidence ?? {})).toEqual(["tokenId", "expiration"]);
  });

  it("ROOT_CA_STALE in full, and nothing without kube-system's copy to compare with", () => {
    expect(
      checkRootCaCopies([
        { namespace: "old", fingerprints: ["aa"] },
        { namespace: "kube-system", fingerprints: ["aa", "bb"] },
      ]),
    ).toEqual([
      {
        code: "ROOT_CA_STALE",
        severity: "warning",
        subject: { kind: "ConfigMap", namespace: "old", name: "kube-root-ca.crt" },
        message: "kube-root-ca.crt in namespace old differs from kube-system's: pods there trust another CA",
        evidence: { fingerprints: ["aa"], kubeSystem: ["aa", "bb"] },
        next: "kubectl delete configmap kube-root-ca.crt -n old (kube-controller-manager's root-ca publisher recreates it), then restart the pods of that namespace",
      },
    ]);
    expect(checkRootCaCopies([{ namespace: "old", fingerprints: ["aa"] }])).toEqual([]);
    expect(
      checkRootCaCopies([
        { namespace: "kube-system", fingerprints: ["aa", "bb"] },
        { namespace: "a", fingerprints: ["a", "abb"] },
      ]).map((f) => f.subject),
    ).toEqual([{ kind: "ConfigMap", namespace: "a", name: "kube-root-ca.crt" }]);
  });
});
