import type { Finding } from "@kubemend/lib/findings/finding";
import { describe, expect, it } from "vitest";
import { byLayer, LAYERS, layerOf, layerTitle, verdictOf } from "./layers.js";

const finding = (code: string, severity: Finding["severity"], name = "web", message = code): Finding => ({
  code,
  severity,
  subject: { kind: "Service", namespace: "prod", name },
  message,
});

describe("layers", () => {
  it("follow the Debug Services guide's order, each with its title", () => {
    expect(LAYERS.map((l) => [l.layer, layerTitle(l.layer)])).toEqual([
      ["service", "the Service object"],
      ["dns", "cluster DNS"],
      ["definition", "the Service's ports"],
      ["selector", "the selector"],
      ["endpoints", "pod readiness and endpoints"],
      ["nodes", "the nodes"],
      ["kube-proxy", "kube-proxy"],
      ["network", "the pod network and the API server path"],
      ["policy", "NetworkPolicy"],
      ["probe", "the active probe"],
    ]);
  });

  it("a layer title falls back to the layer's own name", () => {
    expect(layerTitle("nowhere" as never)).toBe("nowhere");
  });

  it("every code belongs to exactly its layer", () => {
    expect(Object.fromEntries(LAYERS.flatMap((l) => l.codes.map((code) => [code, layerOf(code)])))).toEqual({
      SVC_NOT_FOUND: "service",
      SVC_EXTERNALNAME: "service",
      SVC_HEADLESS: "service",
      SVC_NO_SELECTOR: "service",
      DNS_UNHEALTHY: "dns",
      TARGETPORT_MISSING: "definition",
      SELECTOR_NO_MATCH: "selector",
      PODS_NOT_READY: "endpoints",
      ENDPOINTS_EMPTY: "endpoints",
      ENDPOINTS_NOT_READY: "endpoints",
      NODE_NOT_READY: "nodes",
      KUBE_PROXY_UNHEALTHY: "kube-proxy",
      AGENT_NOT_SEEN: "kube-proxy",
      CNI_UNHEALTHY: "network",
      APISERVER_SVC_MISMATCH: "network",
      NETPOL_BLOCKS: "policy",
      NETPOL_SELECTS: "policy",
      PROBE_FAILED: "probe",
      PROBE_INCOMPLETE: "probe",
      PROBE_SKIPPED: "probe",
    });
    expect(layerOf("RBAC_LIMITED")).toBeUndefined();
  });
});

describe("verdictOf", () => {
  it("is ok with the given message when nothing is a warning or worse", () => {
    expect(verdictOf([], "all good")).toEqual({ status: "ok", message: "all good" });
    expect(
      verdictOf([finding("SVC_EXTERNALNAME", "info"), finding("RBAC_LIMITED", "critical")], "fine"),
    ).toEqual({
      status: "ok",
      message: "fine",
    });
  });

  it("names the first broken layer in the guide's order, by its worst finding", () => {
    const findings = [
      finding("PROBE_FAILED", "critical"),
      finding("ENDPOINTS_EMPTY", "warning", "a", "endpoints are empty"),
      finding("PODS_NOT_READY", "critical", "b", "no pod is Ready"),
      finding("SELECTOR_NO_MATCH", "info"),
    ];
    expect(verdictOf(findings, "ok")).toEqual({
      status: "broken",
      layer: "endpoints",
      code: "PODS_NOT_READY",
      message: "no pod is Ready",
    });
  });

  it("a warning makes the layer degraded", () => {
    expect(verdictOf([finding("NODE_NOT_READY", "warning", "n", "node down")], "ok")).toEqual({
      status: "degraded",
      layer: "nodes",
      code: "NODE_NOT_READY",
      message: "node down",
    });
  });
});

describe("byLayer", () => {
  it("orders by layer, most severe first within one, and findings of no layer last", () => {
    const findings = [
      finding("RBAC_LIMITED", "critical"),
      finding("PROBE_FAILED", "critical"),
      finding("ENDPOINTS_EMPTY", "warning"),
      finding("SVC_NO_SELECTOR", "info"),
      finding("PODS_NOT_READY", "critical"),
      finding("DNS_UNHEALTHY", "warning"),
    ];
    expect(byLayer(findings).map((f) => f.code)).toEqual([
      "SVC_NO_SELECTOR",
      "DNS_UNHEALTHY",
      "PODS_NOT_READY",
      "ENDPOINTS_EMPTY",
      "PROBE_FAILED",
      "RBAC_LIMITED",
    ]);
  });
});
