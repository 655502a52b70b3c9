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
    expect(findings.map((f) => f.code)).toEqual(["CERT_UNPARSABLE"]);
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
