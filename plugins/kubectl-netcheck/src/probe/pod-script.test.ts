import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Pod, Service } from "../model.js";
import {
  clusterDomain,
  interpretPodProbe,
  parseProbeLog,
  planPodProbes,
  probePodManifest,
  probeScript,
} from "./pod-script.js";

// testdata/busybox-*.log are the logs of probeScript's own scripts run by busybox 1.35's sh, nc and
// nslookup in a network namespace holding an HTTP server (200, 503, one that closes at once, one
// that never answers), a DNS server that knows web.shop.svc.cluster.local only, and a peer address
// nothing answers for.
const log = (name: string) => readFileSync(new URL(`testdata/busybox-${name}.log`, import.meta.url), "utf8");

function results(name: string, kinds: Record<string, Parameters<typeof interpretPodProbe>[0]>) {
  const { entries } = parseProbeLog(log(name));
  return Object.fromEntries(
    Object.entries(kinds).map(([id, kind]) => [
      id,
      interpretPodProbe(
        kind,
        entries.find((e) => e.id === id),
      ),
    ]),
  );
}

const ready = [{ type: "Ready", status: "True" as const }];
const pod = (name: string, ip: string | undefined, port = 8080): Pod => ({
  metadata: { name, namespace: "shop" },
  spec: { containers: [{ name: "app", ports: [{ name: "http", containerPort: port }] }] },
  status: { podIP: ip, conditions: ready },
});
const web: Service = {
  metadata: { name: "web", namespace: "shop" },
  spec: {
    clusterIP: "10.96.0.12",
    ports: [
      { name: "http", port: 80, targetPort: "http" },
      { name: "dns", port: 53, protocol: "UDP" },
    ],
  },
};

describe("planPodProbes and probeScript", () => {
  it("probes DNS, the Service name, its ClusterIP and each ready pod, in the guide's order", () => {
    const probes = planPodProbes(web, [pod("web-0", "10.244.1.5"), pod("web-1", undefined)], {
      clusterDomain: "cluster.local",
    });
    expect(probes.map((p) => [p.id, p.target])).toEqual([
      ["dns", "web.shop.svc.cluster.local"],
      ["service/http", "web.shop.svc.cluster.local:80"],
      ["cluster-ip/http", "10.96.0.12:80"],
      ["pod/web-0/8080", "web-0 (10.244.1.5:8080)"],
    ]);
    const script = probeScript(probes);
    expect(script).toContain("probe pod/web-0/8080 http 10.244.1.5 8080\n");
    expect(script).toContain("probe dns timeout 10 nslookup web.shop.svc.cluster.local\n");
    expect(script).not.toContain("wget");
  });

  it("a headless Service has no ClusterIP to probe", () => {
    const headless = { ...web, spec: { ...web.spec, clusterIP: "None" } };
    expect(planPodProbes(headless, [], { clusterDomain: "corp.local" }).map((p) => p.id)).toEqual(["dns"]);
  });

  it("quotes words the shell would split", () => {
    const odd = {
      ...web,
      metadata: { name: "web", namespace: "shop" },
      spec: { ...web.spec, clusterIP: "a b" },
    };
    expect(probeScript(planPodProbes(odd, [], { clusterDomain: "cluster.local" }))).toContain(
      "probe cluster-ip/http http 'a b' 80",
    );
  });

  it("reads the cluster domain from the Corefile", () => {
    expect(clusterDomain(".:53 {\n    kubernetes corp.example in-addr.arpa ip6.arpa {\n")).toBe(
      "corp.example",
    );
    expect(clusterDomain(undefined)).toBe("cluster.local");
  });
});

describe("interpretPodProbe on busybox's real output", () => {
  it("a healthy path: resolved, HTTP 200 from the ClusterIP and the pod", () => {
    const r = results("good", { dns: "dns", "cluster-ip/http": "cluster-ip", "pod/web-0/8080": "pod" });
    expect(r.dns).toEqual({ outcome: "ok", detail: "resolves to 10.96.0.12" });
    expect(r["cluster-ip/http"]).toEqual({ outcome: "ok", status: 200 });
    expect(r["pod/web-0/8080"]).toEqual({ outcome: "ok", status: 200 });
    expect(parseProbeLog(log("good")).done).toBe(true);
  });

  it("NXDOMAIN, a bad address, refused, no route and an unreachable network", () => {
    const r = results("bad", {
      dns: "dns",
      "service/http": "service",
      "cluster-ip/http": "cluster-ip",
      "pod/web-0/9": "pod",
      "pod/web-1/8080": "pod",
    });
    expect(r.dns).toEqual({
      outcome: "nxdomain",
      detail: "server can't find nope.shop.svc.cluster.local: NXDOMAIN",
    });
    expect(r["service/http"]).toEqual({
      outcome: "nxdomain",
      detail: "nc: bad address 'nope.shop.svc.cluster.local'",
    });
    expect(r["cluster-ip/http"]?.outcome).toBe("unreachable");
    expect(r["pod/web-0/9"]).toEqual({
      outcome: "refused",
      detail: "nc: can't connect to remote host (10.9.0.1): Connection refused",
    });
    expect(r["pod/web-1/8080"]?.outcome).toBe("unreachable");
  });

  it("an HTTP error status, a peer that closes, a peer that never answers", () => {
    const r = results("mixed", {
      "cluster-ip/http": "cluster-ip",
      "pod/web-0/8083": "pod",
      "pod/web-1/8081": "pod",
      "pod/web-2/8082": "pod",
    });
    expect(r["cluster-ip/http"]).toEqual({ outcome: "http-error", status: 503 });
    expect(r["pod/web-0/8083"]).toEqual({ outcome: "http-error", status: 503 });
    expect(r["pod/web-1/8081"]).toEqual({
      outcome: "not-http",
      detail: "connected, closed without an HTTP answer",
    });
    expect(r["pod/web-2/8082"]).toEqual({ outcome: "not-http", detail: "connected, no answer in 7s" });
  });

  it("timeouts: nc's connect timeout and nslookup finding no server", () => {
    expect(interpretPodProbe("pod", { id: "p", output: "nc: timed out", exitCode: 0 })).toEqual({
      outcome: "timeout",
      detail: "nc: timed out",
    });
    expect(
      interpretPodProbe("dns", {
        id: "dns",
        output: ";; connection timed out; no servers could be reached",
        exitCode: 1,
      }),
    ).toEqual({ outcome: "timeout", detail: "no DNS server answered" });
  });

  it("a probe the pod's deadline cut short", () => {
    const { entries, done } = parseProbeLog(
      "=== netcheck dns\n=== netcheck-exit dns 0\n=== netcheck service/http\n",
    );
    expect(done).toBe(false);
    expect(interpretPodProbe("service", entries[1])).toEqual({
      outcome: "timeout",
      detail: "the probe pod stopped before this probe finished",
    });
    expect(interpretPodProbe("pod", undefined).outcome).toBe("timeout");
  });
});

describe("probePodManifest", () => {
  it("runs unprivileged, without a token, bounded by activeDeadlineSeconds", () => {
    const p = probePodManifest({
      name: "netcheck-probe-abc",
      namespace: "shop",
      image: "busybox:1.37",
      deadlineSeconds: 30,
      target: "service shop/web",
      script: "echo",
    }) as unknown as { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
    expect(p.spec).toMatchObject({
      restartPolicy: "Never",
      activeDeadlineSeconds: 30,
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true },
    });
    expect(p.spec.containers[0]).toMatchObject({
      image: "busybox:1.37",
      command: ["sh", "-c", "echo"],
      securityContext: {
        privileged: false,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      },
    });
  });
});
