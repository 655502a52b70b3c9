import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { KubeClient, ResourceRef } from "@kubemend/lib/kube/client";
import { isConflict } from "@kubemend/lib/kube/errors";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startCluster, type TestCluster } from "../env/cluster.js";
import { plantClusterAddons, plantServiceOutage, startNodes } from "../env/scenarios.js";
import { BEHAVIOUR_ANNOTATION, type StandinNode } from "../env/standin/index.js";
import { registerNode } from "../env/standin/node.js";
import { kubectlPlugin, PLUGIN_BIN, pinnedKubectl } from "./plugins.js";

const run = promisify(execFile);

// S1 and its variants on one real control plane, one namespace each, checked through the real
// kubectl. Cluster-wide breakages (CoreDNS down, a dead `kubernetes` endpoint) come last and are
// undone, so the namespaced variants keep their own verdicts.

interface Report {
  kind: string;
  verdict: { status: string; layer?: string; code?: string; message: string };
  items: {
    code: string;
    severity: string;
    message: string;
    evidence?: Record<string, unknown>;
    next?: string;
  }[];
}

const ref = (resource: string, namespace?: string, group = "", version = "v1"): ResourceRef => ({
  group,
  version,
  resource,
  namespace,
});

async function create(client: KubeClient, r: ResourceRef, body: unknown): Promise<void> {
  try {
    await client.create(r, body);
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
}

const pod = (
  name: string,
  labels: Record<string, string>,
  node: string,
  extra: { ports?: { name: string; containerPort: number }[] } = {},
) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels },
  spec: {
    nodeName: node,
    containers: [
      {
        name: "app",
        image: "registry.k8s.io/e2e-test-images/agnhost:2.52",
        ports: extra.ports ?? [{ name: "http", containerPort: 8080 }],
      },
    ],
  },
});

const service = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name },
  spec: { ports: [{ name: "http", port: 80, targetPort: "http" }], ...spec },
});

describe("kubectl netcheck", () => {
  let cluster: TestCluster;
  let nodes: StandinNode[];
  let admin: KubeClient;
  const worker = (n: number) => nodes[n - 1]?.name as string;

  const netcheck = async (...args: string[]) => {
    const result = await kubectlPlugin(["netcheck", "--kubeconfig", cluster.adminKubeconfig, ...args]);
    if (result.code >= 2)
      throw new Error(`netcheck ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
    return result;
  };
  const netcheckJson = async (...args: string[]) => {
    const result = await netcheck(...args, "-o", "json");
    return { code: result.code, report: JSON.parse(result.stdout) as Report };
  };
  const eventually = <T>(check: () => Promise<T>, timeout = 90_000) =>
    vi.waitFor(check, { timeout, interval: 1000 });
  const readyEndpoints = async (namespace: string, name: string) => {
    const list = (await admin.get(ref("endpointslices", namespace, "discovery.k8s.io"))) as unknown as {
      items: {
        metadata: { labels?: Record<string, string> };
        endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
      }[];
    };
    return list.items
      .filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === name)
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => e.conditions?.ready !== false)
      .flatMap((e) => e.addresses);
  };
  const waitReadyEndpoints = (namespace: string, name: string, count: number) =>
    eventually(async () => expect(await readyEndpoints(namespace, name)).toHaveLength(count));
  beforeAll(async () => {
    cluster = await startCluster();
    nodes = await startNodes(cluster);
    admin = await cluster.admin();
    for (const ns of ["s1", "notready", "ports", "proxy", "policy", "healthy", "kinds"])
      await create(admin, ref("namespaces"), { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    await plantServiceOutage(cluster, "s1");
    await plantClusterAddons(cluster);

    // No Ready pods: the Deployment's pods crash-loop.
    await create(admin, ref("deployments", "notready", "apps"), {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "api" } },
        template: {
          metadata: { labels: { app: "api" }, annotations: { [BEHAVIOUR_ANNOTATION]: "crashloop" } },
          spec: {
            nodeName: worker(2),
            containers: [{ name: "api", image: "api:2", ports: [{ name: "http", containerPort: 8080 }] }],
          },
        },
      },
    });
    await create(admin, ref("services", "notready"), service("api", { selector: { app: "api" } }));

    // A named targetPort one of two pods does not declare.
    await create(admin, ref("pods", "ports"), pod("web-a", { app: "web" }, worker(2)));
    await create(
      admin,
      ref("pods", "ports"),
      pod("web-b", { app: "web" }, worker(4), { ports: [{ name: "web", containerPort: 8080 }] }),
    );
    await create(admin, ref("services", "ports"), service("web", { selector: { app: "web" } }));

    // The only endpoint sits on node 3, where kube-proxy crash-loops.
    await create(admin, ref("pods", "proxy"), pod("web-0", { app: "web" }, worker(3)));
    await create(admin, ref("services", "proxy"), service("web", { selector: { app: "web" } }));

    // Default deny.
    await create(admin, ref("pods", "policy"), pod("web-0", { app: "web" }, worker(2)));
    await create(admin, ref("services", "policy"), service("web", { selector: { app: "web" } }));
    await create(admin, ref("networkpolicies", "policy", "networking.k8s.io"), {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny-ingress" },
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    });

    // Healthy.
    await create(admin, ref("pods", "healthy"), pod("web-0", { app: "web", tier: "front" }, worker(2)));
    await create(admin, ref("pods", "healthy"), pod("web-1", { app: "web", tier: "front" }, worker(4)));
    await create(
      admin,
      ref("services", "healthy"),
      service("web", { selector: { app: "web", tier: "front" } }),
    );

    // Headless, ExternalName and selector-less Services.
    await create(admin, ref("pods", "kinds"), pod("db-0", { app: "db" }, worker(4)));
    await create(
      admin,
      ref("services", "kinds"),
      service("db", { clusterIP: "None", selector: { app: "db" } }),
    );
    await create(admin, ref("services", "kinds"), {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "search" },
      spec: { type: "ExternalName", externalName: "search.example.com" },
    });
    await create(admin, ref("services", "kinds"), {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "legacy-db" },
      spec: { ports: [{ port: 5432 }] },
    });
    await create(admin, ref("endpointslices", "kinds", "discovery.k8s.io"), {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "legacy-db-1", labels: { "kubernetes.io/service-name": "legacy-db" } },
      addressType: "IPv4",
      endpoints: [{ addresses: ["10.2.200.7"], conditions: { ready: true } }],
      ports: [{ port: 5432, protocol: "TCP" }],
    });

    await Promise.all([
      waitReadyEndpoints("kube-system", "kube-dns", 2),
      waitReadyEndpoints("ports", "web", 2),
      waitReadyEndpoints("proxy", "web", 1),
      waitReadyEndpoints("policy", "web", 1),
      waitReadyEndpoints("healthy", "web", 2),
      waitReadyEndpoints("kinds", "db", 1),
      eventually(async () => {
        const list = (await admin.get({ ...ref("pods", "notready") })) as unknown as {
          items: { status?: { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] } }[];
        };
        expect(list.items.map((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason)).toEqual([
          "CrashLoopBackOff",
          "CrashLoopBackOff",
        ]);
      }),
      waitForKubeProxy(),
    ]);
  });
  afterAll(async () => {
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await cluster?.stop();
  });

  /** kube-proxy runs on every node and crash-loops on node 3 (S1). */
  async function waitForKubeProxy(): Promise<void> {
    await eventually(async () => {
      const list = (await admin.get(ref("pods", "kube-system"))) as unknown as {
        items: {
          metadata: { labels?: Record<string, string> };
          spec: { nodeName?: string };
          status?: { conditions?: { type: string; status: string }[] };
        }[];
      };
      const proxies = list.items.filter((p) => p.metadata.labels?.["k8s-app"] === "kube-proxy");
      expect(proxies).toHaveLength(4);
      const ready = proxies.filter((p) =>
        p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      );
      expect(ready.map((p) => p.spec.nodeName).sort()).toEqual([worker(1), worker(2), worker(4)].sort());
    });
  }

  it("S1: names the selector typo and the pods it misses by one label", async () => {
    const { code, report } = await netcheckJson("svc", "myapp", "-n", "s1");
    expect(code).toBe(1);
    expect(report.verdict).toMatchObject({ status: "broken", layer: "selector", code: "SELECTOR_NO_MATCH" });
    const finding = report.items.find((f) => f.code === "SELECTOR_NO_MATCH");
    expect(finding?.message).toBe(
      "selector app=my-app matches no pod in namespace s1; 2 pods miss by one label (has app=myapp, the selector wants app=my-app)",
    );
    expect(finding?.next).toBe(
      `kubectl patch service myapp -n s1 --type merge -p '{"spec":{"selector":{"app":"myapp"}}}'`,
    );
    expect(report.items.map((f) => f.code)).toEqual(["SELECTOR_NO_MATCH"]);

    const table = await netcheck("svc", "myapp", "-n", "s1");
    expect(table.stdout.split("\n")[0]).toBe(
      "Service s1/myapp: BROKEN at the selector: selector app=my-app matches no pod in namespace s1; 2 pods miss by one label (has app=myapp, the selector wants app=my-app)",
    );
  });

  it("suggests similar names for a Service that does not exist", async () => {
    const { code, report } = await netcheckJson("svc", "myap", "-n", "s1");
    expect(code).toBe(1);
    expect(report.verdict.code).toBe("SVC_NOT_FOUND");
    expect(report.items[0]?.message).toBe("Service s1/myap does not exist; did you mean s1/myapp?");
  });

  it("no Ready pods: says they crash-loop", async () => {
    const { code, report } = await netcheckJson("svc", "api", "-n", "notready");
    expect(code).toBe(1);
    expect(report.verdict).toMatchObject({ status: "broken", layer: "endpoints", code: "PODS_NOT_READY" });
    const finding = report.items.find((f) => f.code === "PODS_NOT_READY");
    expect(finding?.message).toMatch(
      /^0 of 2 selected pods are Ready; api-\S+: container api is in CrashLoopBackOff after 5 restarts; last exit 1 \(Error\) \(and 1 more\)$/,
    );
    expect(finding?.next).toMatch(/^kubectl logs api-\S+ -n notready --previous$/);
  });

  it("no Ready pods: names a failing readiness probe from Events, and a sandbox the CNI could not set up", async () => {
    await create(admin, ref("namespaces"), {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "reasons" },
    });
    const behaving = (name: string, app: string, behaviour: string) => {
      const p = pod(name, { app }, worker(2));
      return { ...p, metadata: { ...p.metadata, annotations: { [BEHAVIOUR_ANNOTATION]: behaviour } } };
    };
    await create(admin, ref("pods", "reasons"), behaving("probe-0", "probe", "not-ready"));
    await create(admin, ref("services", "reasons"), service("probe", { selector: { app: "probe" } }));
    await create(admin, ref("pods", "reasons"), behaving("cni-0", "cni", "sandbox-failure"));
    await create(admin, ref("services", "reasons"), service("cni", { selector: { app: "cni" } }));
    await eventually(async () => {
      const finding = (await netcheckJson("svc", "probe", "-n", "reasons")).report.items.find(
        (f) => f.code === "PODS_NOT_READY",
      );
      expect(finding?.message).toMatch(/^0 of 1 selected pods are Ready; probe-0: Readiness probe failed/);
    }, 60_000);
    await eventually(async () => {
      const { code, report } = await netcheckJson("svc", "cni", "-n", "reasons");
      expect(code).toBe(1);
      expect(report.verdict).toMatchObject({ layer: "endpoints", code: "PODS_NOT_READY" });
      expect(report.items.find((f) => f.code === "PODS_NOT_READY")?.message).toMatch(
        /^0 of 1 selected pods are Ready; cni-0: pod sandbox\/CNI failure: .*plugin type="calico" failed/,
      );
    }, 60_000);
  });

  it("a named targetPort missing on one pod", async () => {
    const { code, report } = await netcheckJson("svc", "web", "-n", "ports");
    expect(code).toBe(0);
    expect(report.verdict).toMatchObject({
      status: "degraded",
      layer: "definition",
      code: "TARGETPORT_MISSING",
    });
    expect(report.items.map((f) => [f.code, f.severity, f.message])).toEqual([
      [
        "TARGETPORT_MISSING",
        "warning",
        'port http (80) targets the named port "http"/TCP, which 1 of 2 selected pods do not declare: web-b',
      ],
    ]);
    expect((await netcheck("svc", "web", "-n", "ports", "--fail-on", "warning")).code).toBe(1);
  });

  it("kube-proxy broken on the node of the endpoint", async () => {
    const { code, report } = await netcheckJson("svc", "web", "-n", "proxy");
    expect(code).toBe(1);
    expect(report.verdict).toMatchObject({
      status: "broken",
      layer: "kube-proxy",
      code: "KUBE_PROXY_UNHEALTHY",
    });
    expect(report.items.map((f) => f.code)).toEqual(["KUBE_PROXY_UNHEALTHY"]);
    expect(report.items[0]?.message).toMatch(
      new RegExp(
        `^kube-proxy on node ${worker(3)} \\(hosts web-0\\) is not Ready: container kube-proxy is in CrashLoopBackOff after 5 restarts; last exit 1 \\(Error\\); Service traffic from and through this node is not forwarded$`,
      ),
    );
  });

  it("a default-deny policy", async () => {
    const { code, report } = await netcheckJson("svc", "web", "-n", "policy");
    expect(code).toBe(1);
    expect(report.verdict).toMatchObject({ status: "broken", layer: "policy", code: "NETPOL_BLOCKS" });
    expect(report.items[0]?.message).toBe(
      "ingress to TCP/8080 of 1 of 1 selected pods is denied by policy/default-deny-ingress: no rule admits any source on that port",
    );
  });

  it("a healthy Service has no findings", async () => {
    const { code, report } = await netcheckJson("svc", "web", "-n", "healthy");
    expect(report.items).toEqual([]);
    expect(report.verdict).toEqual({
      status: "ok",
      message: "2 ready endpoints; every layer checked is healthy",
    });
    expect(code).toBe(0);
    const table = await netcheck("svc", "web", "-n", "healthy", "--port", "80");
    expect(table.stdout).toBe("Service healthy/web: OK: 2 ready endpoints; every layer checked is healthy\n");
  });

  it("headless, ExternalName and selector-less Services raise no alarm", async () => {
    for (const [name, code] of [
      ["db", "SVC_HEADLESS"],
      ["search", "SVC_EXTERNALNAME"],
      ["legacy-db", "SVC_NO_SELECTOR"],
    ] as const) {
      const result = await netcheckJson("svc", name, "-n", "kinds");
      expect(result.code, name).toBe(0);
      expect(result.report.verdict.status, name).toBe("ok");
      expect(
        result.report.items.map((f) => [f.code, f.severity]),
        name,
      ).toEqual([[code, "info"]]);
    }
  });

  it("rejects a port the Service does not have with exit 2", async () => {
    const result = await kubectlPlugin([
      "netcheck",
      "--kubeconfig",
      cluster.adminKubeconfig,
      "svc",
      "web",
      "-n",
      "healthy",
      "--port",
      "9999",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: Service healthy/web has no port "9999"\n  hint: its ports: http (80)\n',
    );
  });

  it("policy: denied by the default deny, allowed where no policy isolates", async () => {
    const denied = await netcheck("policy", "-n", "policy", "--from", "healthy/web-0", "--to", "web-0:8080");
    expect(denied.code).toBe(1);
    expect(denied.stdout).toBe(
      [
        "healthy/web-0 -> policy/web-0 TCP/8080: DENIED: denied by policy/default-deny-ingress: ingress of policy/web-0 is isolated and no rule admits healthy/web-0 on TCP/8080",
        "  egress of healthy/web-0: not isolated",
        "  ingress of policy/web-0: isolated by policy/default-deny-ingress; no rule allows",
        "",
      ].join("\n"),
    );
    const allowed = await netcheckJson("policy", "--from", "policy/web-0", "--to", "healthy/web-1:8080");
    expect(allowed.code).toBe(0);
    expect(allowed.report).toMatchObject({
      kind: "PolicyVerdict",
      allowed: true,
      from: "policy/web-0",
      to: "healthy/web-1",
    });
    // The port as Services and NetworkPolicies write it, protocol included.
    const udp = await netcheckJson("policy", "--from", "policy/web-0", "--to", "healthy/web-1:53/UDP");
    expect(udp.report).toMatchObject({ kind: "PolicyVerdict", port: 53, protocol: "UDP" });
  });

  it("pod: the kube-proxy of the pod's node, and the policies that isolate a pod", async () => {
    const proxied = await netcheckJson("pod", "web-0", "-n", "proxy");
    expect(proxied.code).toBe(1);
    expect(proxied.report.verdict).toMatchObject({ layer: "kube-proxy", code: "KUBE_PROXY_UNHEALTHY" });
    const isolated = await netcheckJson("pod", "web-0", "-n", "policy");
    expect(isolated.code).toBe(0);
    expect(isolated.report.items.map((f) => [f.code, f.message])).toEqual([
      ["NETPOL_SELECTS", "NetworkPolicies isolate the pod: ingress by default-deny-ingress; egress by none"],
    ]);
  });

  it("dns and cluster: CoreDNS is healthy, kube-proxy crash-loops on node 3", async () => {
    const dns = await netcheckJson("dns");
    expect(dns.code).toBe(0);
    expect(dns.report.items).toEqual([]);
    expect(dns.report.verdict).toEqual({ status: "ok", message: "2 CoreDNS pods Ready behind 10.96.0.10" });
    const overall = await netcheckJson("cluster");
    expect(overall.code).toBe(1);
    expect(overall.report.verdict).toMatchObject({ status: "broken", layer: "kube-proxy" });
    expect(overall.report.items.map((f) => f.code)).toEqual(["KUBE_PROXY_UNHEALTHY"]);
    expect(overall.report.items[0]?.message).toMatch(
      new RegExp(`^kube-proxy on node ${worker(3)} \\(a cluster node\\)`),
    );
  });

  it("--probe: through services/proxy and pods/proxy, which reach pods on this network", async () => {
    const healthy = await netcheckJson("svc", "web", "-n", "healthy", "--probe");
    expect(healthy.code).toBe(0);
    expect(healthy.report.items).toEqual([]);
    const dead = await netcheckJson("svc", "api", "-n", "notready", "--probe");
    expect(dead.report.items.map((f) => f.code)).toEqual(["PODS_NOT_READY", "PROBE_FAILED"]);
    expect(dead.report.items[1]?.message).toMatch(
      /^the API server could not reach service notready\/api:http through services\/proxy: no-endpoints: .*no endpoints available for service "api"/,
    );
  });

  interface ProbePod {
    metadata: { name: string; labels?: Record<string, string> };
    spec: Record<string, unknown> & { containers: Record<string, unknown>[] };
  }
  const probePods = async (namespace: string) =>
    (
      (await admin.get({
        ...ref("pods", namespace),
        name: undefined,
      })) as unknown as { items: ProbePod[] }
    ).items.filter((p) => p.metadata.labels?.["app.kubernetes.io/component"] === "probe");

  // The stand-in nodes run no containers: a probe pod is reported Running and never finishes, so
  // what is tested for real is the pod netcheck creates, its deletion, and the verdict then. What
  // the pod's busybox prints is read by pod-script.ts, unit-tested on busybox's real output.
  it("--probe-pod: an unprivileged pod with a deadline, deleted afterwards; one that never completes is inconclusive", async () => {
    const seen = new Map<string, ProbePod>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const p of await probePods("healthy"))
          if (!seen.has(p.metadata.name)) seen.set(p.metadata.name, p);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const { code, report } = await netcheckJson(
      "svc",
      "web",
      "-n",
      "healthy",
      "--probe-pod",
      "--probe-deadline",
      "2s",
      "--probe-image",
      "mirror.internal/tools/busybox:1.37",
    ).finally(() => {
      watching = false;
    });
    await watcher;
    expect([...seen.values()]).toHaveLength(1);
    const probe = [...seen.values()][0] as ProbePod;
    expect(probe.metadata.name).toMatch(/^netcheck-probe-[0-9a-f]{8}$/);
    expect(probe.spec).toMatchObject({
      restartPolicy: "Never",
      activeDeadlineSeconds: 2,
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true },
    });
    expect(probe.spec.containers).toHaveLength(1);
    expect(probe.spec.containers[0]).toMatchObject({
      image: "mirror.internal/tools/busybox:1.37",
      command: ["sh", "-c", expect.stringContaining("nslookup web.healthy.svc.cluster.local")],
      securityContext: {
        privileged: false,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      },
    });
    expect(await probePods("healthy")).toEqual([]);
    expect(code).toBe(0);
    expect(report.verdict).toMatchObject({ status: "degraded", layer: "probe", code: "PROBE_INCOMPLETE" });
    expect(report.items.map((f) => f.code)).toEqual(["PROBE_INCOMPLETE"]);
    expect(report.items[0]?.message).toMatch(
      new RegExp(
        `^the probe pod healthy/${probe.metadata.name} did not complete within its 2s deadline \\(Running\\); it was deleted$`,
      ),
    );
  });

  it("--probe-pod: SIGINT and SIGTERM delete the probe pod before netcheck exits", async () => {
    for (const [signal, exit] of [
      ["SIGINT", 130],
      ["SIGTERM", 143],
    ] as const) {
      const child = spawn(
        pinnedKubectl(),
        ["netcheck", "--kubeconfig", cluster.adminKubeconfig, "svc", "web", "-n", "healthy", "--probe-pod"],
        {
          env: {
            PATH: `${PLUGIN_BIN}${path.delimiter}${process.env.PATH}`,
            HOME: process.env.HOME ?? "/tmp",
          },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      let status: string | undefined;
      const exited = new Promise<number | null>((resolve) =>
        child.on("exit", (c, sig) => {
          status = `exit ${c ?? sig}`;
          resolve(c);
        }),
      );
      await eventually(async () => {
        expect(status, stderr).toBeUndefined();
        expect(await probePods("healthy")).toHaveLength(1);
      }, 30_000);
      child.kill(signal);
      expect(await exited).toBe(exit);
      expect(await probePods("healthy")).toEqual([]);
    }
  });

  it("--probe-pod without the right to create pods: skipped, nothing created", async () => {
    await create(admin, ref("rolebindings", "healthy", "rbac.authorization.k8s.io"), {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "viewer" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "viewer" }],
    });
    const { report } = await netcheckJson("svc", "web", "-n", "healthy", "--probe-pod", "--as", "viewer");
    const skipped = report.items.find((f) => f.code === "PROBE_SKIPPED");
    expect(skipped?.message).toMatch(/^no probe pod: RBAC does not allow create pods in namespace "healthy"/);
    expect(await probePods("healthy")).toEqual([]);
  });

  it("rejects a bad --probe-deadline with exit 2", async () => {
    const result = await kubectlPlugin([
      "netcheck",
      "--kubeconfig",
      cluster.adminKubeconfig,
      "svc",
      "web",
      "-n",
      "healthy",
      "--probe-pod",
      "--probe-deadline",
      "soon",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --probe-deadline "soon"');
  });

  it("a Service spread over more nodes than it reads one by one: every node found, the missing one named", async () => {
    // 17 Ready nodes (no kubelet behind them) plus one name no Node has: netcheck reads that many
    // nodes with one paged list instead of a GET each, and must still tell them apart.
    await create(admin, ref("namespaces"), {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "wide" },
    });
    const names = Array.from({ length: 17 }, (_, i) => `wide-node-${i}`);
    try {
      for (const [i, name] of names.entries())
        await registerNode(admin, { name, ip: `10.2.${cluster.block}.${i + 1}`, controlPlane: false });
      for (const [i, node] of [...names, "wide-node-gone"].entries())
        await create(admin, ref("pods", "wide"), pod(`wide-${i}`, { app: "wide" }, node));
      await create(admin, ref("services", "wide"), service("wide", { selector: { app: "wide" } }));
      const { report } = await netcheckJson("svc", "wide", "-n", "wide");
      const nodeFindings = report.items.filter((f) => f.code === "NODE_NOT_READY").map((f) => f.message);
      expect(nodeFindings).toHaveLength(1);
      expect(nodeFindings[0]).toContain("node wide-node-gone");
      expect(nodeFindings[0]).toContain("does not exist");
    } finally {
      // Nodes without a kubelet turn NotReady after the lifecycle controller's grace period, which
      // the cluster-wide tests below would see.
      await admin.delete({ ...ref("namespaces"), name: "wide" });
      for (const name of names) await admin.delete({ ...ref("nodes"), name }).catch(() => {});
    }
  });

  it("CoreDNS down: the verdict is DNS", async () => {
    const coredns = { ...ref("deployments", "kube-system", "apps"), name: "coredns" };
    const setBehaviour = (behaviour: string) =>
      admin.request({
        method: "PATCH",
        path: `/apis/apps/v1/namespaces/kube-system/deployments/coredns`,
        contentType: "application/merge-patch+json",
        body: { spec: { template: { metadata: { annotations: { [BEHAVIOUR_ANNOTATION]: behaviour } } } } },
        verb: "patch",
        ref: coredns,
      });
    await setBehaviour("crashloop");
    try {
      await waitReadyEndpoints("kube-system", "kube-dns", 0);
      await eventually(async () => {
        const { report } = await netcheckJson("svc", "web", "-n", "healthy");
        expect(report.verdict).toMatchObject({ status: "broken", layer: "dns", code: "DNS_UNHEALTHY" });
        expect(report.items[0]?.message).toMatch(
          /^none of the 2 CoreDNS pods is Ready \(coredns-\S+: container coredns is in CrashLoopBackOff after 5 restarts; last exit 1 \(Error\)\): names of Services do not resolve$/,
        );
      });
    } finally {
      await setBehaviour("running");
    }
    await waitReadyEndpoints("kube-system", "kube-dns", 2);
  });

  it("the kubernetes Service's endpoints point at a dead API server address", async () => {
    const dead = cluster.nodeIp(49);
    await plantMasterLease(dead);
    try {
      await eventually(
        async () => expect((await readyEndpoints("default", "kubernetes")).sort()).toContain(dead),
        60_000,
      );
      const { code, report } = await netcheckJson("svc", "web", "-n", "healthy");
      expect(code).toBe(1);
      expect(report.verdict).toMatchObject({
        status: "broken",
        layer: "network",
        code: "APISERVER_SVC_MISMATCH",
      });
      expect(report.items.map((f) => f.code)).toEqual(["APISERVER_SVC_MISMATCH"]);
      expect(report.items[0]?.message).toBe(
        `the kubernetes Service (10.96.0.1) sends traffic to ${dead}, where no running API server advertises itself (running: ${cluster.controlPlaneIp}): in-cluster clients such as the CNI time out`,
      );
    } finally {
      await etcdctl("del", `/registry/masterleases/${dead}`);
    }
  });

  /**
   * The API server's lease reconciler rewrites the `kubernetes` endpoints from the API servers'
   * leases in etcd every 10 s, so an edited EndpointSlice is undone at once. A lease of a second
   * API server that is gone, as after a restore of an old etcd backup, is what keeps a dead
   * address there: the reconciler itself publishes it until the lease expires.
   */
  async function plantMasterLease(ip: string): Promise<void> {
    const grant = await etcdctl("lease", "grant", "600");
    const lease = /lease (\S+) granted/.exec(grant)?.[1];
    if (!lease) throw new Error(`etcdctl lease grant: ${grant}`);
    const value = JSON.stringify({
      kind: "Endpoints",
      apiVersion: "v1",
      metadata: { name: ip },
      subsets: [{ addresses: [{ ip }] }],
    });
    await etcdctl("put", `--lease=${lease}`, `/registry/masterleases/${ip}`, value);
  }

  async function etcdctl(...args: string[]): Promise<string> {
    const { stdout } = await run(path.join(cluster.bin, "etcdctl"), [
      `--endpoints=${cluster.etcd.endpoint}`,
      `--cacert=${cluster.etcd.caFile}`,
      `--cert=${cluster.etcd.certFile}`,
      `--key=${cluster.etcd.keyFile}`,
      ...args,
    ]);
    return stdout;
  }
});
