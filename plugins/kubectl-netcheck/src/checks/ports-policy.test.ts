import { describe, expect, it } from "vitest";
import type { CollectedService } from "../collect/service.js";
import type { NetworkPolicy, Pod } from "../model.js";
import { healthyService, pod, service } from "../testdata/objects.js";
import { checkPolicies, resolveTargetPort } from "./policy.js";
import { checkTargetPorts, portsInScope } from "./ports.js";

const subject = { kind: "Service", namespace: "shop", name: "web" };
const withService = (patch: Partial<CollectedService>): CollectedService => ({
  ...healthyService(),
  ...patch,
});

describe("portsInScope", () => {
  const ports = [{ name: "http", port: 80 }, { name: "81", port: 8081 }, { port: 443 }];
  it("all ports, or the one named by number or name", () => {
    expect(portsInScope(ports)).toEqual(ports);
    expect(portsInScope(ports, "http")).toEqual([{ name: "http", port: 80 }]);
    expect(portsInScope(ports, "443")).toEqual([{ port: 443 }]);
    expect(portsInScope(ports, "81")).toEqual([{ name: "81", port: 8081 }]);
    expect(portsInScope(ports, "8080")).toEqual([]);
  });
});

describe("checkTargetPorts, findings in full", () => {
  it("a port without a name missing on every pod, with what each pod declares", () => {
    const bare: Pod = pod("web-2", { node: "node-b", ports: [] });
    const mixed: Pod = pod("web-1", {
      ports: [{ containerPort: 9090 }, { name: "admin", containerPort: 9091, protocol: "UDP" }],
    });
    mixed.spec.containers.push({ name: "sidecar" });
    const c = withService({
      service: service("web", { ports: [{ port: 80, targetPort: "http" }] }),
      pods: [mixed, bare],
    });
    expect(checkTargetPorts(c)).toEqual([
      {
        code: "TARGETPORT_MISSING",
        severity: "critical",
        subject,
        message: 'port 80 targets the named port "http"/TCP, which 2 of 2 selected pods do not declare',
        evidence: {
          servicePort: 80,
          targetPort: "http",
          protocol: "TCP",
          pods: [
            { pod: "web-1", problem: "declares only (unnamed):9090/TCP, admin:9091/UDP" },
            { pod: "web-2", problem: "declares no container ports" },
          ],
        },
        next: 'add a containerPort named "http" (TCP) to the pod template, or set targetPort to the port number',
      },
    ]);
  });

  it("a named port declared under another protocol, listed per protocol; a match in another container counts", () => {
    const twice = pod("web-1", {
      ports: [
        { name: "dns", containerPort: 53, protocol: "UDP" },
        { name: "dns", containerPort: 5353, protocol: "SCTP" },
      ],
    });
    const other = pod("web-2", { node: "node-b", ports: [] });
    other.spec.containers.push({ name: "dns", ports: [{ name: "dns", containerPort: 53 }] });
    const c = withService({
      service: service("web", { ports: [{ name: "dns", port: 53, targetPort: "dns" }] }),
      pods: [twice, other],
    });
    expect(checkTargetPorts(c).map((f) => [f.severity, f.message, f.evidence?.pods])).toEqual([
      [
        "warning",
        'port dns (53) targets the named port "dns"/TCP, which 1 of 2 selected pods do not declare: web-1',
        [{ pod: "web-1", problem: 'declares "dns" as UDP/SCTP, not TCP' }],
      ],
    ]);
  });

  it("numeric targetPorts, as numbers or digits, and ports left out by --port are not checked", () => {
    const c = withService({
      service: service("web", {
        ports: [
          { name: "a", port: 80, targetPort: "8080" },
          { name: "b", port: 81, targetPort: 9999 },
          { name: "c", port: 82, targetPort: "nope" },
        ],
      }),
    });
    expect(checkTargetPorts(c, "a")).toEqual([]);
    expect(checkTargetPorts(c, "b")).toEqual([]);
    expect(checkTargetPorts(c, "c").map((f) => f.evidence?.targetPort)).toEqual(["nope"]);
    expect(
      checkTargetPorts(withService({ service: service("web", { ports: [{ port: 80, targetPort: "8a" }] }) })),
    ).toHaveLength(1);
    expect(checkTargetPorts(withService({ service: undefined }))).toEqual([]);
  });
});

describe("resolveTargetPort", () => {
  const p = pod("web-1", {
    ports: [
      { name: "dns", containerPort: 53, protocol: "UDP" },
      { name: "dns", containerPort: 5353 },
      { name: "http", containerPort: 8080 },
    ],
  });
  it("a number, digits, a name with the Service port's protocol, or the port itself", () => {
    expect(resolveTargetPort({ port: 80, targetPort: 9000 }, p)).toBe(9000);
    expect(resolveTargetPort({ port: 80, targetPort: "9001" }, p)).toBe(9001);
    expect(resolveTargetPort({ port: 80 }, p)).toBe(80);
    expect(resolveTargetPort({ port: 80, targetPort: "http" }, p)).toBe(8080);
    expect(resolveTargetPort({ port: 53, targetPort: "dns", protocol: "UDP" }, p)).toBe(53);
    expect(resolveTargetPort({ port: 53, targetPort: "dns" }, p)).toBe(5353);
    expect(resolveTargetPort({ port: 53, targetPort: "metrics" }, p)).toBeUndefined();
    expect(
      resolveTargetPort(
        { port: 53, targetPort: "9p" },
        pod("x", { ports: [{ name: "9p", containerPort: 564 }] }),
      ),
    ).toBe(564);
  });
});

describe("checkPolicies, findings in full", () => {
  const deny = (name: string, podSelector = {}): NetworkPolicy => ({
    metadata: { name, namespace: "shop" },
    spec: { podSelector, policyTypes: ["Ingress"] },
  });

  it("one pod of two blocked on a named port, by two policies", () => {
    const c = withService({
      pods: [
        pod("web-1", { node: "node-a", labels: { app: "web", tier: "a" } }),
        pod("web-2", { node: "node-b", labels: { app: "web", tier: "b" } }),
      ],
      policies: [
        deny("deny-a", { matchLabels: { tier: "a" } }),
        deny("deny-all-a", { matchLabels: { tier: "a" } }),
      ],
    });
    expect(checkPolicies(c)).toEqual([
      {
        code: "NETPOL_BLOCKS",
        severity: "warning",
        subject,
        message:
          "ingress to TCP/8080 of 1 of 2 selected pods is denied by shop/deny-a, shop/deny-all-a: no rule admits any source on that port",
        evidence: {
          servicePort: 80,
          protocol: "TCP",
          pods: [{ pod: "web-1", port: 8080, isolatedBy: ["shop/deny-a", "shop/deny-all-a"] }],
        },
        next: "add an ingress rule for port 8080, e.g. kubectl netcheck policy -n shop --from POD --to web-1:8080 to test it",
      },
    ]);
  });

  it("a UDP port, pods whose named port does not resolve are skipped, and --port narrows it", () => {
    const c = withService({
      service: service("web", {
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: "dns" },
          { name: "http", port: 80, targetPort: "http" },
        ],
      }),
      pods: [
        pod("web-1", { ports: [{ name: "dns", containerPort: 1053, protocol: "UDP" }] }),
        pod("web-2", { ports: [] }),
      ],
      policies: [deny("deny")],
    });
    expect(checkPolicies(c, "dns").map((f) => [f.severity, f.message])).toEqual([
      [
        "warning",
        "ingress to UDP/1053 of 1 of 2 selected pods is denied by shop/deny: no rule admits any source on that port",
      ],
    ]);
    expect(checkPolicies(c).map((f) => f.evidence?.servicePort)).toEqual([53]);
  });

  it("nothing without policies, or when a rule admits the port", () => {
    expect(checkPolicies(healthyService())).toEqual([]);
    const open: NetworkPolicy = {
      metadata: { name: "open", namespace: "shop" },
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 8080 }] }] },
    };
    expect(checkPolicies(withService({ policies: [deny("deny"), open] }))).toEqual([]);
    expect(
      checkPolicies(withService({ policies: [deny("elsewhere", { matchLabels: { app: "db" } })] })),
    ).toEqual([]);
  });
});
