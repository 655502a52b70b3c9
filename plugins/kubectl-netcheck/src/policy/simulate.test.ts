import { describe, expect, it } from "vitest";
import type { NetworkPolicy, NetworkPolicyRule } from "../model.js";
import {
  type Connection,
  ingressOpenings,
  policyTypes,
  selects,
  simulate,
  type Workload,
} from "./simulate.js";

// Cases from the semantics the Kubernetes NetworkPolicy documentation states.
const policy = (name: string, spec: Partial<NetworkPolicy["spec"]>, namespace = "prod"): NetworkPolicy => ({
  metadata: { name, namespace },
  spec: { podSelector: {}, ...spec },
});

const web: Workload = {
  name: "web-1",
  namespace: "prod",
  labels: { app: "web", role: "frontend" },
  ip: "10.244.1.10",
  ports: [{ name: "http", containerPort: 8080 }],
};
const db: Workload = {
  name: "db-0",
  namespace: "prod",
  labels: { app: "db", role: "db" },
  ip: "10.244.2.20",
  ports: [
    { name: "pg", containerPort: 5432 },
    { name: "metrics", containerPort: 9187, protocol: "TCP" },
    { name: "dns", containerPort: 53, protocol: "UDP" },
  ],
};
const monitor: Workload = {
  name: "prom-0",
  namespace: "monitoring",
  labels: { app: "prometheus" },
  ip: "10.244.3.30",
};
const devPod: Workload = { name: "web-1", namespace: "dev", labels: { app: "web" }, ip: "10.244.4.40" };
const outside: Workload = { ip: "172.17.1.5" };

const namespaceLabels = new Map<string, Record<string, string>>([
  ["prod", { "kubernetes.io/metadata.name": "prod", env: "prod" }],
  ["monitoring", { "kubernetes.io/metadata.name": "monitoring", team: "ops" }],
  ["dev", { "kubernetes.io/metadata.name": "dev", env: "dev" }],
]);

const check = (conn: Connection, ...policies: NetworkPolicy[]) =>
  simulate(conn, { policies, namespaceLabels });
const toDb = (from: Workload, port = 5432, protocol?: Connection["protocol"]): Connection => ({
  from,
  to: db,
  port,
  protocol,
});
const dbIngress = (...ingress: NetworkPolicyRule[]) =>
  policy("db-ingress", { podSelector: { matchLabels: { app: "db" } }, ingress });

describe("isolation and the default-deny forms", () => {
  it("allows everything when no policy selects either pod", () => {
    const v = check(toDb(web));
    expect(v.allowed).toBe(true);
    expect(v.reason).toBe("no policy isolates egress of prod/web-1; no policy isolates ingress of prod/db-0");
  });

  it("default deny all ingress: podSelector {} and policyTypes [Ingress] with no rules", () => {
    const v = check(toDb(web), policy("default-deny-ingress", { policyTypes: ["Ingress"] }));
    expect(v.allowed).toBe(false);
    expect(v.reason).toBe(
      "denied by prod/default-deny-ingress: ingress of prod/db-0 is isolated and no rule admits prod/web-1 on TCP/5432",
    );
  });

  it("default deny ingress without policyTypes (Ingress is always implied)", () => {
    expect(check(toDb(web), policy("deny", {})).allowed).toBe(false);
  });

  it("allow all ingress: one empty rule", () => {
    const v = check(toDb(web), policy("allow-all-ingress", { ingress: [{}] }));
    expect(v.allowed).toBe(true);
    expect(v.ingress.allowedBy).toEqual([
      { policy: "prod/allow-all-ingress", direction: "Ingress", rule: 0 },
    ]);
  });

  it("default deny all egress blocks the sender", () => {
    const v = check(toDb(web), policy("default-deny-egress", { policyTypes: ["Egress"] }));
    expect(v.allowed).toBe(false);
    expect(v.egress.allowed).toBe(false);
    expect(v.reason).toMatch(/^denied by prod\/default-deny-egress: egress of prod\/web-1 is isolated/);
  });

  it("allow all egress: one empty egress rule", () => {
    const v = check(toDb(web), policy("allow-all-egress", { policyTypes: ["Egress"], egress: [{}] }));
    expect(v.allowed).toBe(true);
  });

  it("default deny all ingress and egress", () => {
    const v = check(toDb(web), policy("deny-all", { policyTypes: ["Ingress", "Egress"] }));
    expect(v.egress.allowed).toBe(false);
    expect(v.ingress.allowed).toBe(false);
  });

  it("an egress-only policy leaves ingress open", () => {
    const v = check(toDb(web), policy("egress-only", { policyTypes: ["Egress"] }));
    expect(v.ingress.isolatedBy).toEqual([]);
  });

  it("infers Egress from egress rules when policyTypes is empty", () => {
    expect(policyTypes(policy("p", { egress: [{ to: [{ podSelector: {} }] }] }))).toEqual([
      "Ingress",
      "Egress",
    ]);
    expect(policyTypes(policy("p", { egress: [] }))).toEqual(["Ingress"]);
  });

  it("a policy in another namespace never selects the pod", () => {
    const v = check(toDb(web), policy("deny", { policyTypes: ["Ingress"] }, "dev"));
    expect(v.allowed).toBe(true);
  });

  it("a policy whose podSelector does not match leaves the pod open", () => {
    const v = check(toDb(web), policy("deny-web", { podSelector: { matchLabels: { app: "web" } } }));
    expect(v.ingress.isolatedBy).toEqual([]);
    expect(v.allowed).toBe(true);
  });

  it("policies are additive: a deny-all and an allow together allow", () => {
    const v = check(
      toDb(web),
      policy("deny", { policyTypes: ["Ingress"] }),
      dbIngress({ from: [{ podSelector: { matchLabels: { app: "web" } } }] }),
    );
    expect(v.allowed).toBe(true);
    expect(v.reason).toBe(
      "no policy isolates egress of prod/web-1; allowed by prod/db-ingress (ingress rule 1)",
    );
  });

  it("both sides must allow: ingress open but egress denied", () => {
    const v = check(
      toDb(web),
      dbIngress({}),
      policy("web-egress", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] }),
    );
    expect(v.allowed).toBe(false);
    expect(v.reason).toMatch(/^denied by prod\/web-egress/);
  });
});

describe("peers", () => {
  it("podSelector alone means pods in the policy's own namespace", () => {
    const p = dbIngress({ from: [{ podSelector: { matchLabels: { app: "web" } } }] });
    expect(check(toDb(web), p).allowed).toBe(true);
    expect(check(toDb(devPod), p).allowed).toBe(false);
  });

  it("namespaceSelector alone means every pod in the selected namespaces", () => {
    const p = dbIngress({ from: [{ namespaceSelector: { matchLabels: { team: "ops" } } }] });
    expect(check(toDb(monitor), p).allowed).toBe(true);
    expect(check(toDb(web), p).allowed).toBe(false);
  });

  it("namespaceSelector and podSelector in one peer: both must match (AND)", () => {
    const p = dbIngress({
      from: [
        { namespaceSelector: { matchLabels: { env: "dev" } }, podSelector: { matchLabels: { app: "web" } } },
      ],
    });
    expect(check(toDb(devPod), p).allowed).toBe(true);
    expect(check(toDb({ ...devPod, labels: { app: "api" } }), p).allowed).toBe(false);
    expect(check(toDb(web), p).allowed).toBe(false);
  });

  it("two peers in a list: either may match (OR)", () => {
    const p = dbIngress({
      from: [
        { namespaceSelector: { matchLabels: { env: "dev" } } },
        { podSelector: { matchLabels: { app: "web" } } },
      ],
    });
    expect(check(toDb({ ...devPod, labels: { app: "api" } }), p).allowed).toBe(true);
    expect(check(toDb(web), p).allowed).toBe(true);
    expect(check(toDb(monitor), p).allowed).toBe(false);
  });

  it("an empty namespaceSelector selects every namespace", () => {
    const p = dbIngress({ from: [{ namespaceSelector: {} }] });
    expect(check(toDb(monitor), p).allowed).toBe(true);
    expect(check(toDb(outside), p).allowed).toBe(false);
  });

  it("an empty podSelector peer selects every pod in the policy's namespace only", () => {
    const p = dbIngress({ from: [{ podSelector: {} }] });
    expect(check(toDb(web), p).allowed).toBe(true);
    expect(check(toDb(monitor), p).allowed).toBe(false);
  });

  it("namespaceSelector by the automatic kubernetes.io/metadata.name label", () => {
    const p = dbIngress({
      from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
    });
    expect(check(toDb(monitor), p).allowed).toBe(true);
  });

  it("matchExpressions In and NotIn", () => {
    const p = dbIngress({
      from: [
        {
          podSelector: {
            matchExpressions: [
              { key: "role", operator: "In", values: ["frontend", "api"] },
              { key: "app", operator: "NotIn", values: ["db"] },
            ],
          },
        },
      ],
    });
    expect(check(toDb(web), p).allowed).toBe(true);
    expect(check(toDb({ ...web, labels: { role: "frontend", app: "db" } }), p).allowed).toBe(false);
  });

  it("matchExpressions Exists and DoesNotExist", () => {
    const p = dbIngress({
      from: [
        {
          podSelector: {
            matchExpressions: [
              { key: "role", operator: "Exists" },
              { key: "quarantined", operator: "DoesNotExist" },
            ],
          },
        },
      ],
    });
    expect(check(toDb(web), p).allowed).toBe(true);
    expect(check(toDb({ ...web, labels: { ...web.labels, quarantined: "yes" } }), p).allowed).toBe(false);
    expect(check(toDb({ ...web, labels: { app: "web" } }), p).allowed).toBe(false);
  });

  it("ipBlock admits an outside address in the CIDR", () => {
    const p = dbIngress({ from: [{ ipBlock: { cidr: "172.17.0.0/16" } }] });
    const v = check(toDb(outside), p);
    expect(v.allowed).toBe(true);
    expect(v.reason).toBe("allowed by prod/db-ingress (ingress rule 1)");
  });

  it("ipBlock except carves addresses out", () => {
    const p = dbIngress({ from: [{ ipBlock: { cidr: "172.17.0.0/16", except: ["172.17.1.0/24"] } }] });
    expect(check(toDb(outside), p).allowed).toBe(false);
    expect(check(toDb({ ip: "172.17.2.9" }), p).allowed).toBe(true);
  });

  it("ipBlock for egress to an address outside the cluster", () => {
    const p = policy("web-egress", {
      podSelector: { matchLabels: { app: "web" } },
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "172.17.0.0/16" } }], ports: [{ port: 443 }] }],
    });
    expect(check({ from: web, to: outside, port: 443 }, p).allowed).toBe(true);
    expect(check({ from: web, to: outside, port: 80 }, p).allowed).toBe(false);
    expect(check({ from: web, to: db, port: 443 }, p).allowed).toBe(false);
  });

  it("ipBlock with IPv6", () => {
    const p = dbIngress({ from: [{ ipBlock: { cidr: "fd00::/8", except: ["fd00:1::/32"] } }] });
    expect(check(toDb({ ip: "fd12::1" }), p).allowed).toBe(true);
    expect(check(toDb({ ip: "fd00:1::5" }), p).allowed).toBe(false);
    expect(check(toDb({ ip: "10.0.0.1" }), p).allowed).toBe(false);
  });

  it("selectors never match an address outside the cluster", () => {
    const p = dbIngress({ from: [{ namespaceSelector: {}, podSelector: {} }] });
    expect(check(toDb(outside), p).allowed).toBe(false);
  });

  it("egress namespaceSelector lets web reach monitoring only", () => {
    const p = policy("web-egress", {
      podSelector: { matchLabels: { app: "web" } },
      policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { team: "ops" } } }] }],
    });
    expect(check({ from: web, to: monitor, port: 9090 }, p).allowed).toBe(true);
    expect(check(toDb(web), p).allowed).toBe(false);
  });
});

describe("ports", () => {
  const fromWeb = [{ podSelector: { matchLabels: { app: "web" } } }];

  it("a numeric port admits only that port", () => {
    const p = dbIngress({ from: fromWeb, ports: [{ port: 5432 }] });
    expect(check(toDb(web, 5432), p).allowed).toBe(true);
    expect(check(toDb(web, 9187), p).allowed).toBe(false);
  });

  it("protocol defaults to TCP", () => {
    const p = dbIngress({ ports: [{ port: 53 }] });
    expect(check(toDb(web, 53, "TCP"), p).allowed).toBe(true);
    expect(check(toDb(web, 53, "UDP"), p).allowed).toBe(false);
  });

  it("a protocol without a port admits every port of that protocol", () => {
    const p = dbIngress({ ports: [{ protocol: "UDP" }] });
    expect(check(toDb(web, 53, "UDP"), p).allowed).toBe(true);
    expect(check(toDb(web, 5432), p).allowed).toBe(false);
  });

  it("a named port resolves against the destination pod's container ports", () => {
    const p = dbIngress({ ports: [{ port: "pg" }] });
    expect(check(toDb(web, 5432), p).allowed).toBe(true);
    expect(check(toDb(web, 9187), p).allowed).toBe(false);
  });

  it("a named port must match the protocol too", () => {
    expect(
      check(toDb(web, 53, "UDP"), dbIngress({ ports: [{ port: "dns", protocol: "UDP" }] })).allowed,
    ).toBe(true);
    expect(check(toDb(web, 53, "UDP"), dbIngress({ ports: [{ port: "dns" }] })).allowed).toBe(false);
  });

  it("a named port the destination does not declare matches nothing", () => {
    expect(check(toDb(web, 5432), dbIngress({ ports: [{ port: "postgres" }] })).allowed).toBe(false);
  });

  it("a port range with endPort is inclusive", () => {
    const p = dbIngress({ ports: [{ port: 9000, endPort: 9200 }] });
    expect(check(toDb(web, 9000), p).allowed).toBe(true);
    expect(check(toDb(web, 9187), p).allowed).toBe(true);
    expect(check(toDb(web, 9200), p).allowed).toBe(true);
    expect(check(toDb(web, 9201), p).allowed).toBe(false);
    expect(check(toDb(web, 5432), p).allowed).toBe(false);
  });

  it("ports and peers of one rule must both match", () => {
    const p = dbIngress({ from: fromWeb, ports: [{ port: 5432 }] });
    expect(check(toDb(monitor, 5432), p).allowed).toBe(false);
  });

  it("rules are ORed: one for metrics from monitoring, one for pg from web", () => {
    const p = dbIngress(
      { from: [{ namespaceSelector: { matchLabels: { team: "ops" } } }], ports: [{ port: "metrics" }] },
      { from: fromWeb, ports: [{ port: 5432 }] },
    );
    const metrics = check(toDb(monitor, 9187), p);
    expect(metrics.allowed).toBe(true);
    expect(metrics.ingress.allowedBy).toEqual([{ policy: "prod/db-ingress", direction: "Ingress", rule: 0 }]);
    expect(check(toDb(monitor, 5432), p).allowed).toBe(false);
    expect(check(toDb(web, 5432), p).ingress.allowedBy[0]?.rule).toBe(1);
  });

  it("egress named port resolves against the destination pod", () => {
    const p = policy("web-egress", {
      podSelector: { matchLabels: { app: "web" } },
      policyTypes: ["Egress"],
      egress: [{ ports: [{ port: "pg" }] }],
    });
    expect(check(toDb(web, 5432), p).allowed).toBe(true);
    expect(check({ from: web, to: outside, port: 5432 }, p).allowed).toBe(false);
  });
});

describe("ingressOpenings", () => {
  it("reports no openings under a default deny", () => {
    expect(ingressOpenings(db, 5432, "TCP", [policy("deny", { policyTypes: ["Ingress"] })])).toEqual({
      isolatedBy: ["prod/deny"],
      rules: [],
    });
  });

  it("counts a rule that admits the port from anyone", () => {
    const o = ingressOpenings(db, 5432, "TCP", [
      dbIngress({ ports: [{ port: 9187 }] }, { from: [{ podSelector: {} }], ports: [{ port: "pg" }] }),
    ]);
    expect(o.rules).toEqual([{ policy: "prod/db-ingress", direction: "Ingress", rule: 1 }]);
  });
});

describe("edge cases", () => {
  it("names the denied sender: its address, or a stand-in when it has none", () => {
    const p = dbIngress({ from: [{ podSelector: { matchLabels: { app: "web" } } }] });
    expect(check(toDb(outside), p).reason).toBe(
      "denied by prod/db-ingress: ingress of prod/db-0 is isolated and no rule admits 172.17.1.5 on TCP/5432",
    );
    expect(check(toDb({}), p).reason).toBe(
      "denied by prod/db-ingress: ingress of prod/db-0 is isolated and no rule admits an outside address on TCP/5432",
    );
    expect(check(toDb({ namespace: "dev", ip: "10.244.4.41" }), p).reason).toBe(
      "denied by prod/db-ingress: ingress of prod/db-0 is isolated and no rule admits dev/10.244.4.41 on TCP/5432",
    );
    expect(check(toDb({ namespace: "dev" }), p).reason).toBe(
      "denied by prod/db-ingress: ingress of prod/db-0 is isolated and no rule admits dev/? on TCP/5432",
    );
  });

  it("joins every isolating policy and every admitting rule with commas", () => {
    const deny = policy("deny", { policyTypes: ["Ingress"] });
    const denied = check(toDb(web), deny, dbIngress({ ports: [{ port: 9187 }] }));
    expect(denied.reason).toBe(
      "denied by prod/deny, prod/db-ingress: ingress of prod/db-0 is isolated and no rule admits prod/web-1 on TCP/5432",
    );
    const allowed = check(toDb(web), deny, dbIngress({ ports: [{ port: 5432 }] }, {}));
    expect(allowed.reason).toBe(
      "no policy isolates egress of prod/web-1; allowed by prod/db-ingress (ingress rule 1), prod/db-ingress (ingress rule 2)",
    );
  });

  it("an address outside the cluster is never selected, even by a policy without a namespace", () => {
    const anywhere: NetworkPolicy = { metadata: { name: "no-namespace" }, spec: { podSelector: {} } };
    expect(selects(anywhere, outside, "Ingress")).toBe(false);
    expect(selects(policy("all", {}), db, "Ingress")).toBe(true);
  });

  it("a peer with no selector and no ipBlock matches nothing", () => {
    expect(check(toDb(web), dbIngress({ from: [{}] })).allowed).toBe(false);
  });

  it("a port given as a numeric string is that port number", () => {
    const p = dbIngress({ ports: [{ port: "5432" }] });
    expect(check(toDb(web, 5432), p).allowed).toBe(true);
    expect(check(toDb(web, 5433), p).allowed).toBe(false);
  });

  it("a port name that starts or ends with a digit is still a name", () => {
    const to: Workload = {
      ...db,
      ports: [
        { name: "http2", containerPort: 8443 },
        { name: "9p", containerPort: 564 },
      ],
    };
    expect(check({ from: web, to, port: 8443 }, dbIngress({ ports: [{ port: "http2" }] })).allowed).toBe(
      true,
    );
    expect(check({ from: web, to, port: 564 }, dbIngress({ ports: [{ port: "9p" }] })).allowed).toBe(true);
  });

  it("a named port does not match a container port of another protocol", () => {
    // db declares "dns" as UDP 53; a TCP connection to 53 is not that named port.
    expect(check(toDb(web, 53, "TCP"), dbIngress({ ports: [{ port: "dns" }] })).allowed).toBe(false);
  });

  it("a rule with several ports admits any one of them", () => {
    const p = dbIngress({ ports: [{ port: 5432 }, { port: 9187 }] });
    expect(check(toDb(web, 5432), p).allowed).toBe(true);
    expect(check(toDb(web, 9187), p).allowed).toBe(true);
  });
});

describe("ingressOpenings, more", () => {
  it("a rule without ports admits every protocol, UDP too", () => {
    expect(ingressOpenings(db, 53, "UDP", [dbIngress({ from: [{ podSelector: {} }] })]).rules).toEqual([
      { policy: "prod/db-ingress", direction: "Ingress", rule: 0 },
    ]);
  });

  it("ignores policies that do not select the pod, and counts rules without ports or with the port among others", () => {
    const other = policy("web-only", { podSelector: { matchLabels: { app: "web" } }, ingress: [{}] });
    const o = ingressOpenings(db, 5432, "TCP", [
      other,
      dbIngress(
        { from: [{ podSelector: {} }] },
        { ports: [{ port: 9187 }, { port: 5432 }] },
        { ports: [{ port: 1 }] },
      ),
    ]);
    expect(o).toEqual({
      isolatedBy: ["prod/db-ingress"],
      rules: [
        { policy: "prod/db-ingress", direction: "Ingress", rule: 0 },
        { policy: "prod/db-ingress", direction: "Ingress", rule: 1 },
      ],
    });
  });
});
