import type { Finding } from "@kubemend/lib/findings/finding";
import { describe, expect, it } from "vitest";
import type { CollectedService } from "../collect/service.js";
import { agent, event, healthyService, node, pod, service, slice } from "../testdata/objects.js";
import { verdictOf } from "./layers.js";
import { checkService } from "./svc.js";

const codes = (findings: Finding[]) => findings.map((f) => `${f.code}:${f.severity}`);
const withService = (patch: Partial<CollectedService>): CollectedService => ({
  ...healthyService(),
  ...patch,
});
const verdict = (c: CollectedService, port?: string) => verdictOf(checkService(c, { port }), "ok");

describe("netcheck svc checks", () => {
  it("a healthy Service has no findings and an ok verdict", () => {
    expect(checkService(healthyService())).toEqual([]);
    expect(verdict(healthyService())).toEqual({ status: "ok", message: "ok" });
  });

  describe("the Service object", () => {
    it("SVC_NOT_FOUND suggests similar names and other namespaces", () => {
      const c = withService({
        name: "wbe",
        service: undefined,
        similarNames: ["web"],
        otherNamespaces: ["staging"],
      });
      const [finding] = checkService(c);
      expect(finding).toMatchObject({
        code: "SVC_NOT_FOUND",
        severity: "critical",
        message: "Service shop/wbe does not exist; did you mean shop/web, staging/wbe?",
        next: "kubectl netcheck svc wbe -n staging",
      });
      expect(verdict(c)).toMatchObject({ status: "broken", layer: "service" });
    });

    it("ExternalName is information, and a warning when it names an IP", () => {
      const named = withService({
        service: service("web", { type: "ExternalName", externalName: "db.example.com" }),
      });
      expect(codes(checkService(named))).toEqual(["SVC_EXTERNALNAME:info"]);
      expect(verdict(named).status).toBe("ok");
      const ip = withService({
        service: service("web", { type: "ExternalName", externalName: "192.0.2.7" }),
      });
      expect(codes(checkService(ip))).toEqual(["SVC_EXTERNALNAME:warning"]);
    });

    it("a headless Service is not held to kube-proxy", () => {
      const c = withService({
        service: service("web", { clusterIP: "None" }),
        agents: [
          agent("kube-proxy-a", "kube-proxy", "node-a", { ready: false, waiting: "CrashLoopBackOff" }),
        ],
      });
      // No CNI pod in this fixture: a note that the CNI was not seen, and nothing about kube-proxy.
      const findings = checkService(c);
      expect(codes(findings)).toEqual(["SVC_HEADLESS:info", "AGENT_NOT_SEEN:info"]);
      expect(findings[1]?.evidence).toEqual({ role: "cni" });
    });

    it("a selector-less Service with hand-made endpoints raises no alarm", () => {
      const c = withService({ service: service("web", { selector: null }), pods: [], nodes: new Map() });
      expect(codes(checkService(c))).toEqual(["SVC_NO_SELECTOR:info"]);
    });

    it("a selector-less Service with no endpoints at all is a warning", () => {
      const c = withService({
        service: service("web", { selector: undefined }),
        pods: [],
        slices: [],
        nodes: new Map(),
      });
      expect(codes(checkService(c))).toEqual(["SVC_NO_SELECTOR:info", "ENDPOINTS_EMPTY:warning"]);
    });
  });

  describe("selection", () => {
    it("SELECTOR_NO_MATCH lists the near misses and the patch that fixes them", () => {
      const miss = pod("web-1", { labels: { app: "web-v2" } });
      const c = withService({
        pods: [],
        slices: [],
        nodes: new Map(),
        nearMisses: [{ pod: miss, miss: { key: "app", want: "web", have: "web-v2" } }],
        nearMissSearch: "x",
      });
      const findings = checkService(c);
      expect(codes(findings)).toEqual(["SELECTOR_NO_MATCH:critical"]);
      expect(findings[0]?.message).toBe(
        "selector app=web matches no pod in namespace shop; 1 pod miss by one label (has app=web-v2, the selector wants app=web)",
      );
      expect(findings[0]?.next).toBe(
        `kubectl patch service web -n shop --type merge -p '{"spec":{"selector":{"app":"web-v2"}}}'`,
      );
    });

    it("a key typo's patch removes the wrong key", () => {
      const c = withService({
        service: service("web", { selector: { app: "web", tier: "front" } }),
        pods: [],
        slices: [],
        nodes: new Map(),
        nearMisses: [
          {
            pod: pod("web-1", { labels: { app: "web", teir: "front" } }),
            miss: { key: "tier", want: "front", similarKey: "teir" },
          },
        ],
      });
      expect(checkService(c)[0]?.next).toBe(
        `kubectl patch service web -n shop --type merge -p '{"spec":{"selector":{"tier":null,"teir":"front"}}}'`,
      );
    });

    it("without near misses it says how to compare labels", () => {
      const c = withService({ pods: [], slices: [], nodes: new Map() });
      expect(checkService(c)[0]?.next).toBe(
        "kubectl get pods -n shop --show-labels   # and compare with: app=web",
      );
    });
  });

  describe("readiness", () => {
    const notReady = (
      p: ReturnType<typeof pod>,
      events = [] as ReturnType<typeof event>[],
      nodes?: CollectedService["nodes"],
    ) =>
      checkService(
        withService({
          pods: [p],
          slices: [slice("web", [{ ip: "10.244.1.10", pod: p.metadata.name, ready: false }])],
          events,
          ...(nodes && { nodes }),
        }),
      ).find((f) => f.code === "PODS_NOT_READY");

    it("names CrashLoopBackOff with the last exit", () => {
      expect(notReady(pod("web-1", { ready: false, waiting: "CrashLoopBackOff" }))?.message).toBe(
        "0 of 1 selected pods are Ready; web-1: container app is in CrashLoopBackOff after 7 restarts; last exit 2 (Error): bind: address in use",
      );
    });

    it("names ImagePullBackOff", () => {
      expect(notReady(pod("web-1", { ready: false, waiting: "ImagePullBackOff" }))?.evidence?.pods).toEqual([
        {
          pod: "web-1",
          node: "node-a",
          cause: "ImagePullBackOff",
          reason: "container app: ImagePullBackOff",
        },
      ]);
    });

    it("names a failing readiness probe from the pod's Events", () => {
      const f = notReady(pod("web-1", { ready: false }), [
        event("web-1", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503"),
      ]);
      expect(f?.message).toBe(
        "0 of 1 selected pods are Ready; web-1: Readiness probe failed: HTTP probe failed with statuscode: 503",
      );
      expect(f?.next).toBe("kubectl describe pod web-1 -n shop");
    });

    it("names a sandbox/CNI failure and points at netcheck pod", () => {
      const p = pod("web-1", {
        ready: false,
        phase: "Pending",
        waiting: "ContainerCreating",
        conditions: [
          { type: "PodScheduled", status: "True" },
          { type: "PodReadyToStartContainers", status: "False" },
        ],
      });
      const f = notReady(p, [
        event(
          "web-1",
          "FailedCreatePodSandBox",
          'Failed to create pod sandbox: plugin type="calico" failed (add): Unauthorized',
        ),
      ]);
      expect(f?.evidence?.pods).toEqual([
        {
          pod: "web-1",
          node: "node-a",
          cause: "SandboxFailed",
          reason:
            'pod sandbox/CNI failure: Failed to create pod sandbox: plugin type="calico" failed (add): Unauthorized',
        },
      ]);
      expect(f?.next).toBe(
        "kubectl netcheck pod web-1 -n shop   # the CNI could not set up the pod's network",
      );
    });

    it("names an unschedulable pod", () => {
      const p = pod("web-1", {
        ready: false,
        node: "",
        phase: "Pending",
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message: "0/3 nodes are available: 3 Insufficient cpu.",
          },
        ],
      });
      expect(notReady(p)?.evidence?.pods).toEqual([
        {
          pod: "web-1",
          cause: "Unschedulable",
          reason: "unschedulable: 0/3 nodes are available: 3 Insufficient cpu.",
        },
      ]);
    });

    it("blames a NotReady node before the containers, and flags the node", () => {
      const nodes = new Map([["node-a", node("node-a", false)]]);
      const c = withService({
        pods: [pod("web-1", { ready: false })],
        slices: [slice("web", [{ ip: "10.244.1.10", pod: "web-1", ready: false }])],
        nodes,
      });
      const findings = checkService(c);
      expect(codes(findings)).toEqual(["PODS_NOT_READY:critical", "NODE_NOT_READY:critical"]);
      expect(findings[0]?.message).toBe(
        "0 of 1 selected pods are Ready; web-1: its node node-a is NotReady (NodeStatusUnknown: Kubelet stopped posting node status.)",
      );
      expect(verdict(c)).toMatchObject({ layer: "endpoints", code: "PODS_NOT_READY" });
    });

    it("one of two pods not Ready is a warning", () => {
      const c = healthyService();
      c.pods[1] = pod("web-2", { node: "node-b", ready: false, waiting: "CrashLoopBackOff" });
      expect(codes(checkService(c))).toEqual(["PODS_NOT_READY:warning"]);
    });

    it("publishNotReadyAddresses turns no-Ready-pods into a warning", () => {
      const c = withService({
        service: service("web", { publishNotReadyAddresses: true }),
        pods: [pod("web-1", { ready: false })],
        slices: [slice("web", [{ ip: "10.244.1.10", pod: "web-1", ready: true }])],
      });
      const findings = checkService(c);
      expect(codes(findings)).toEqual(["PODS_NOT_READY:warning"]);
      expect(findings[0]?.message).toMatch(/publishNotReadyAddresses sends traffic to them anyway$/);
    });
  });

  describe("endpoints", () => {
    it("ENDPOINTS_EMPTY when Ready pods have no endpoints", () => {
      const c = withService({ slices: [] });
      const findings = checkService(c);
      expect(codes(findings)).toEqual(["ENDPOINTS_EMPTY:critical"]);
      expect(findings[0]?.next).toMatch(/kube-controller-manager/);
    });

    it("ENDPOINTS_NOT_READY when endpoints are not ready though the pods are", () => {
      const c = withService({
        slices: [
          slice("web", [
            { ip: "10.244.1.10", pod: "web-1", ready: false },
            { ip: "10.244.2.10", pod: "web-2", ready: false },
          ]),
        ],
      });
      expect(codes(checkService(c))).toEqual(["ENDPOINTS_NOT_READY:critical"]);
    });

    it("ENDPOINTS_NOT_READY counts terminating and serving endpoints", () => {
      const c = withService({
        slices: [
          slice("web", [{ ip: "10.244.1.10", pod: "web-1", ready: false, serving: true, terminating: true }]),
        ],
      });
      const findings = checkService(c);
      expect(findings[0]?.message).toBe(
        "none of the Service's 1 endpoints is ready (1 terminating, 1 serving)",
      );
    });

    it("a stale endpoint beside a ready one is a warning", () => {
      const c = withService({
        slices: [
          slice("web", [
            { ip: "10.244.1.10", pod: "web-1" },
            { ip: "10.244.2.10", pod: "web-2", ready: false },
          ]),
        ],
      });
      expect(codes(checkService(c))).toEqual(["ENDPOINTS_NOT_READY:warning"]);
    });
  });

  describe("ports", () => {
    it("a named targetPort missing on one pod is a warning that names it", () => {
      const c = healthyService();
      c.pods[1] = pod("web-2", { node: "node-b", ports: [{ name: "web", containerPort: 8080 }] });
      const findings = checkService(c);
      expect(codes(findings)).toEqual(["TARGETPORT_MISSING:warning"]);
      expect(findings[0]?.message).toBe(
        'port http (80) targets the named port "http"/TCP, which 1 of 2 selected pods do not declare: web-2',
      );
      expect(findings[0]?.evidence?.pods).toEqual([{ pod: "web-2", problem: "declares only web:8080/TCP" }]);
      expect(verdict(c)).toMatchObject({ status: "degraded", layer: "definition" });
    });

    it("missing on every pod is critical", () => {
      const c = withService({
        service: service("web", { ports: [{ name: "http", port: 80, targetPort: "https" }] }),
      });
      expect(codes(checkService(c))).toEqual(["TARGETPORT_MISSING:critical"]);
    });

    it("a named port must have the Service port's protocol", () => {
      const c = withService({
        service: service("web", { ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: "http" }] }),
      });
      const findings = checkService(c);
      expect(findings[0]?.evidence?.pods).toEqual([
        { pod: "web-1", problem: 'declares "http" as TCP, not UDP' },
        { pod: "web-2", problem: 'declares "http" as TCP, not UDP' },
      ]);
    });

    it("an undeclared numeric targetPort is valid", () => {
      const c = withService({ service: service("web", { ports: [{ port: 80, targetPort: 9999 }] }) });
      expect(checkService(c)).toEqual([]);
    });

    it("--port limits the check to one port", () => {
      const c = withService({
        service: service("web", {
          ports: [
            { name: "http", port: 80, targetPort: "http" },
            { name: "admin", port: 81, targetPort: "admin" },
          ],
        }),
      });
      expect(codes(checkService(c, { port: "http" }))).toEqual([]);
      expect(codes(checkService(c, { port: "81" }))).toEqual(["TARGETPORT_MISSING:critical"]);
    });
  });

  describe("node agents", () => {
    it("KUBE_PROXY_UNHEALTHY on the node of an endpoint", () => {
      const c = healthyService();
      c.agents[1] = agent("kube-proxy-b", "kube-proxy", "node-b", {
        ready: false,
        waiting: "CrashLoopBackOff",
      });
      const findings = checkService(c);
      expect(codes(findings)).toEqual(["KUBE_PROXY_UNHEALTHY:critical"]);
      expect(findings[0]?.message).toBe(
        "kube-proxy on node node-b (hosts web-2) is not Ready: container app is in CrashLoopBackOff after 7 restarts; last exit 2 (Error): bind: address in use; Service traffic from and through this node is not forwarded",
      );
      expect(findings[0]?.subject).toEqual({ kind: "Pod", namespace: "kube-system", name: "kube-proxy-b" });
      expect(verdict(c)).toMatchObject({ status: "broken", layer: "kube-proxy" });
    });

    it("an agent missing from a node it runs elsewhere", () => {
      const c = healthyService();
      c.agents = c.agents.filter((a) => a.pod.metadata.name !== "calico-node-b");
      const findings = checkService(c);
      expect(codes(findings)).toEqual(["CNI_UNHEALTHY:critical"]);
      expect(findings[0]?.message).toMatch(
        /^no calico-node pod runs on node node-b \(hosts web-2\), though it runs on other nodes/,
      );
    });

    it("no kube-proxy anywhere (a host service, or a replacement) is no alarm: a note on where to look", () => {
      const c = healthyService();
      c.agents = c.agents.filter((a) => a.agent !== "kube-proxy");
      const findings = checkService(c);
      expect(findings.map((f) => [f.code, f.severity, f.subject, f.evidence])).toEqual([
        [
          "AGENT_NOT_SEEN",
          "info",
          { kind: "DaemonSet", namespace: "kube-system", name: "kube-proxy" },
          { role: "kube-proxy" },
        ],
      ]);
      expect(findings[0]?.next).toMatch(
        /^on each node: systemctl status kube-proxy; curl -s http:\/\/127\.0\.0\.1:10256\/healthz/,
      );
      expect(verdict(c)).toMatchObject({ status: "ok" });
    });

    it("NetworkUnavailable on a node is CNI_UNHEALTHY", () => {
      const c = healthyService();
      c.nodes.set(
        "node-a",
        node("node-a", true, [{ type: "NetworkUnavailable", status: "True", reason: "NoRouteCreated" }]),
      );
      expect(codes(checkService(c))).toEqual(["CNI_UNHEALTHY:critical"]);
    });
  });

  describe("DNS and the API server path", () => {
    it("DNS is checked before the selector", () => {
      const c = withService({ pods: [], slices: [], nodes: new Map() });
      c.dns.pods = c.dns.pods.map((p) =>
        pod(p.metadata.name, { namespace: "kube-system", ready: false, waiting: "CrashLoopBackOff" }),
      );
      c.dns.slices = [];
      const findings = checkService(c);
      expect(codes(findings)).toEqual(["DNS_UNHEALTHY:critical", "SELECTOR_NO_MATCH:critical"]);
      expect(verdict(c)).toMatchObject({ layer: "dns", code: "DNS_UNHEALTHY" });
    });

    it("no cluster DNS at all", () => {
      const c = healthyService();
      c.dns = { slices: [], pods: [] };
      expect(checkService(c)[0]?.message).toBe(
        "no cluster DNS: neither Service kube-system/kube-dns nor pods labelled k8s-app=kube-dns exist",
      );
    });

    it("APISERVER_SVC_MISMATCH: an endpoint where no API server runs", () => {
      const c = healthyService();
      c.apiServer.slices = [
        slice("kubernetes", [{ ip: "10.2.1.151" }, { ip: "10.2.1.199" }], "default", 6443),
      ];
      const findings = checkService(c);
      expect(codes(findings)).toEqual(["APISERVER_SVC_MISMATCH:critical"]);
      expect(findings[0]?.message).toBe(
        "the kubernetes Service (10.96.0.1) sends traffic to 10.2.1.199, where no running API server advertises itself (running: 10.2.1.151): in-cluster clients such as the CNI time out",
      );
      expect(verdict(c)).toMatchObject({ layer: "network" });
    });

    it("APISERVER_SVC_MISMATCH: the wrong port, and an API server left out", () => {
      const c = healthyService();
      c.apiServer.slices = [slice("kubernetes", [{ ip: "10.2.1.151" }], "default", 443)];
      c.apiServer.pods.push(
        pod("kube-apiserver-cp2", {
          namespace: "kube-system",
          annotations: {
            "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": "10.2.1.152:6443",
          },
          command: ["kube-apiserver"],
        }),
      );
      expect(checkService(c).map((f) => f.message)).toEqual([
        "the kubernetes Service's endpoints use port 443, but the API servers listen on 6443",
        "running API servers missing from the kubernetes Service's endpoints: 10.2.1.152 (kube-apiserver-cp2)",
      ]);
    });

    it("no kube-apiserver static pods (a binary install): nothing to compare", () => {
      const c = healthyService();
      c.apiServer.pods = [];
      c.apiServer.slices = [slice("kubernetes", [{ ip: "192.0.2.1" }], "default", 6443)];
      expect(checkService(c)).toEqual([]);
    });
  });

  describe("NetworkPolicy", () => {
    it("NETPOL_BLOCKS under a default deny", () => {
      const c = healthyService();
      c.policies = [
        {
          metadata: { name: "deny", namespace: "shop" },
          spec: { podSelector: {}, policyTypes: ["Ingress"] },
        },
      ];
      const findings = checkService(c);
      expect(codes(findings)).toEqual(["NETPOL_BLOCKS:critical"]);
      expect(findings[0]?.message).toBe(
        "ingress to TCP/8080 of 2 of 2 selected pods is denied by shop/deny: no rule admits any source on that port",
      );
      expect(verdict(c)).toMatchObject({ layer: "policy" });
    });

    it("a policy that admits the port from some sources is no alarm", () => {
      const c = healthyService();
      c.policies = [
        {
          metadata: { name: "deny", namespace: "shop" },
          spec: { podSelector: {}, policyTypes: ["Ingress"] },
        },
        {
          metadata: { name: "allow-front", namespace: "shop" },
          spec: {
            podSelector: { matchLabels: { app: "web" } },
            ingress: [
              { from: [{ podSelector: { matchLabels: { role: "lb" } } }], ports: [{ port: "http" }] },
            ],
          },
        },
      ];
      expect(checkService(c)).toEqual([]);
    });
  });

  it("notes what RBAC kept it from checking", () => {
    const c = withService({ forbidden: ["list pods in kube-system", "list pods in kube-system"] });
    expect(checkService(c)).toEqual([
      expect.objectContaining({
        code: "NETCHECK_PARTIAL",
        severity: "info",
        message: "some layers were not checked because RBAC forbids: list pods in kube-system",
      }),
    ]);
    expect(verdict(c).status).toBe("ok");
  });
});

describe("checkService, how the parts are joined", () => {
  it("an ExternalName Service is checked no further, but RBAC gaps are still noted in full", () => {
    const c = withService({
      service: service("web", { type: "ExternalName", externalName: "db.example.com", selector: {} }),
      pods: [],
      forbidden: ["list pods in kube-system", "get nodes", "list pods in kube-system"],
    });
    expect(checkService(c).map((f) => f.code)).toEqual(["SVC_EXTERNALNAME", "NETCHECK_PARTIAL"]);
    expect(checkService(c)[1]).toEqual({
      code: "NETCHECK_PARTIAL",
      severity: "info",
      subject: { kind: "Service", namespace: "shop", name: "web" },
      message: "some layers were not checked because RBAC forbids: list pods in kube-system; get nodes",
      evidence: { forbidden: ["list pods in kube-system", "get nodes"] },
      next: "kubectl auth can-i --list",
    });
  });

  it("names the selected pods a node hosts, and the involvement of a missing node", () => {
    const c = healthyService();
    c.pods = [
      pod("web-1", { node: "node-a" }),
      pod("web-3", { node: "node-a" }),
      pod("web-2", { node: "node-b" }),
    ];
    c.agents = c.agents.filter((a) => a.pod.metadata.name !== "kube-proxy-a");
    c.nodes.set("node-c", undefined);
    const messages = checkService(c).map((f) => f.message);
    expect(messages).toContain(
      "no kube-proxy pod runs on node node-a (hosts web-1, web-3), though it runs on other nodes; Service traffic from and through this node is not forwarded",
    );
    expect(messages).toContain("node node-c (it hosts selected pods) does not exist");
  });

  it("a headless Service ignores kube-proxy but not the CNI", () => {
    const c = withService({ service: service("web", { clusterIP: "None" }) });
    c.agents = c.agents.filter(
      (a) => a.pod.metadata.name !== "kube-proxy-a" && a.pod.metadata.name !== "calico-node-a",
    );
    expect(codes(checkService(c))).toEqual(["SVC_HEADLESS:info", "CNI_UNHEALTHY:critical"]);
  });
});
