import { describe, expect, it } from "vitest";
import type { CollectedService } from "../collect/service.js";
import { healthyService, pod, service, slice } from "../testdata/objects.js";
import { checkSelector } from "./selection.js";
import { checkServiceObject, hasSelector, isHeadless } from "./service.js";

const subject = { kind: "Service", namespace: "shop", name: "web" };
const withService = (patch: Partial<CollectedService>): CollectedService => ({
  ...healthyService(),
  ...patch,
});

describe("checkServiceObject, findings in full", () => {
  it("a missing Service: hints and the next command", () => {
    expect(
      checkServiceObject(
        withService({ service: undefined, similarNames: ["web1", "webb"], otherNamespaces: ["prod", "dev"] }),
      ),
    ).toEqual([
      {
        code: "SVC_NOT_FOUND",
        severity: "critical",
        subject,
        message: "Service shop/web does not exist; did you mean shop/web1, shop/webb, prod/web, dev/web?",
        evidence: { similarNames: ["web1", "webb"], sameNameInNamespaces: ["prod", "dev"] },
        next: "kubectl netcheck svc web -n prod",
      },
    ]);
    expect(checkServiceObject(withService({ service: undefined }))).toEqual([
      {
        code: "SVC_NOT_FOUND",
        severity: "critical",
        subject,
        message: "Service shop/web does not exist",
        evidence: { similarNames: [], sameNameInNamespaces: [] },
        next: "kubectl get services -n shop",
      },
    ]);
  });

  it("an ExternalName Service, naming a host or an IP", () => {
    expect(
      checkServiceObject(
        withService({ service: service("web", { type: "ExternalName", externalName: "db.example.com" }) }),
      ),
    ).toEqual([
      {
        code: "SVC_EXTERNALNAME",
        severity: "info",
        subject,
        message:
          "ExternalName Service: cluster DNS answers web.shop.svc with a CNAME to db.example.com; it has no endpoints or ClusterIP to check",
        evidence: { externalName: "db.example.com" },
        next: "check that db.example.com resolves from a pod",
      },
    ]);
    expect(
      checkServiceObject(
        withService({ service: service("web", { type: "ExternalName", externalName: "192.0.2.10" }) }),
      ),
    ).toEqual([
      {
        code: "SVC_EXTERNALNAME",
        severity: "warning",
        subject,
        message:
          "ExternalName Service points at the IP address 192.0.2.10: cluster DNS answers with a CNAME, so clients cannot resolve it",
        evidence: { externalName: "192.0.2.10" },
        next: "use a selector-less Service with an EndpointSlice for an IP address",
      },
    ]);
    expect(
      checkServiceObject(withService({ service: service("web", { type: "ExternalName" }) }))[0]?.evidence,
    ).toEqual({ externalName: "" });
  });

  it("a headless Service without a selector", () => {
    const empty = slice("web", []);
    const slices = [
      slice("web", [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }]),
      { ...empty, metadata: { ...empty.metadata, name: "web-fghij" }, endpoints: undefined },
    ];
    expect(
      checkServiceObject(
        withService({ service: service("web", { clusterIP: "None", selector: undefined }), slices }),
      ),
    ).toEqual([
      {
        code: "SVC_HEADLESS",
        severity: "info",
        subject,
        message:
          "headless Service (clusterIP: None): DNS returns the ready endpoints' addresses and kube-proxy is not involved",
        evidence: { clusterIP: "None", selector: null },
      },
      {
        code: "SVC_NO_SELECTOR",
        severity: "info",
        subject,
        message:
          "Service without a selector: its endpoints are managed by hand or by another controller (2 in 2 EndpointSlices)",
        evidence: { slices: ["web-abcde", "web-fghij"], endpoints: 2 },
      },
    ]);
    expect(checkServiceObject(withService({ service: service("web", { clusterIP: "None" }) }))).toEqual([
      {
        code: "SVC_HEADLESS",
        severity: "info",
        subject,
        message:
          "headless Service (clusterIP: None): DNS returns the ready endpoints' addresses and kube-proxy is not involved",
        evidence: { clusterIP: "None", selector: { app: "web" } },
      },
    ]);
  });

  it("isHeadless and hasSelector", () => {
    expect(isHeadless(service("a", { clusterIP: "None" }))).toBe(true);
    expect(isHeadless(service("a", { clusterIP: "10.96.0.1" }))).toBe(false);
    expect(hasSelector(service("a", { selector: {} }))).toBe(false);
    expect(hasSelector(service("a", { selector: undefined }))).toBe(false);
    expect(hasSelector(service("a"))).toBe(true);
  });
});

describe("checkSelector, findings in full", () => {
  const miss = (
    name: string,
    labels: Record<string, string>,
    m: { key: string; want: string; have?: string; similarKey?: string },
  ) => ({
    pod: pod(name, { labels }),
    miss: m,
  });

  it("nothing when the selector matches or is empty", () => {
    expect(checkSelector(healthyService())).toEqual([]);
    expect(checkSelector(withService({ service: service("web", { selector: {} }), pods: [] }))).toEqual([]);
    expect(checkSelector(withService({ service: undefined, pods: [] }))).toEqual([]);
  });

  it("one near miss by value: the patch to the pods' value", () => {
    const c = withService({
      pods: [],
      nearMisses: [miss("web-1", { app: "web-v2" }, { key: "app", want: "web", have: "web-v2" })],
      nearMissSearch: "pods in shop",
    });
    expect(checkSelector(c)).toEqual([
      {
        code: "SELECTOR_NO_MATCH",
        severity: "critical",
        subject,
        message:
          "selector app=web matches no pod in namespace shop; 1 pod miss by one label (has app=web-v2, the selector wants app=web)",
        evidence: {
          selector: { app: "web" },
          nearMisses: [
            {
              pod: "web-1",
              labels: { app: "web-v2" },
              difference: "has app=web-v2, the selector wants app=web",
            },
          ],
          nearMissSearch: "pods in shop",
        },
        next: `kubectl patch service web -n shop --type merge -p '{"spec":{"selector":{"app":"web-v2"}}}'`,
      },
    ]);
  });

  it("two pods missing the same way by a key typo; two missing differently get no patch", () => {
    const typo = { key: "app", want: "web", similarKey: "App" };
    const same = withService({
      pods: [],
      nearMisses: [miss("web-1", { App: "web" }, typo), miss("web-2", { App: "web" }, typo)],
    });
    const [finding] = checkSelector(same);
    expect(finding?.message).toBe(
      "selector app=web matches no pod in namespace shop; 2 pods miss by one label (has App=web, the selector wants app=web)",
    );
    expect(finding?.next).toBe(
      `kubectl patch service web -n shop --type merge -p '{"spec":{"selector":{"app":null,"App":"web"}}}'`,
    );
    const different = withService({
      pods: [],
      nearMisses: [
        miss("web-1", { App: "web" }, typo),
        miss("web-2", { app: "api" }, { key: "app", want: "web", have: "api" }),
      ],
    });
    const [other] = checkSelector(different);
    expect(other?.message).toBe(
      "selector app=web matches no pod in namespace shop; 2 pods miss by one label (has App=web, the selector wants app=web; has app=api, the selector wants app=web)",
    );
    expect(other?.next).toBe("kubectl get pods -n shop --show-labels   # and compare with: app=web");
    const lacking = withService({ pods: [], nearMisses: [miss("web-1", {}, { key: "app", want: "web" })] });
    expect(checkSelector(lacking)[0]?.next).toBe(
      "kubectl get pods -n shop --show-labels   # and compare with: app=web",
    );
    expect(checkSelector(lacking)[0]?.evidence?.nearMisses).toEqual([
      { pod: "web-1", labels: {}, difference: "lacks app=web" },
    ]);
  });

  it("no near misses at all", () => {
    expect(checkSelector(withService({ pods: [] }))[0]?.message).toBe(
      "selector app=web matches no pod in namespace shop",
    );
  });
});
