import { describe, expect, it } from "vitest";
import type { CollectedService } from "../collect/service.js";
import { event, healthyService, node, pod, service, slice } from "../testdata/objects.js";
import { checkEndpoints, endpointState } from "./endpoints.js";

const subject = { kind: "Service", namespace: "shop", name: "web" };
const withService = (patch: Partial<CollectedService>): CollectedService => ({
  ...healthyService(),
  ...patch,
});
const KCM =
  "check kube-controller-manager: kubectl get pods -n kube-system -l component=kube-controller-manager";

describe("endpointState", () => {
  it("reads nil ready and serving as true and nil terminating as false", () => {
    expect(endpointState({ addresses: [] })).toEqual({ ready: true, serving: true, terminating: false });
    expect(endpointState({ addresses: [], conditions: { ready: false } })).toEqual({
      ready: false,
      serving: false,
      terminating: false,
    });
    expect(
      endpointState({ addresses: [], conditions: { ready: false, serving: true, terminating: true } }),
    ).toEqual({
      ready: false,
      serving: true,
      terminating: true,
    });
  });
});

describe("checkEndpoints, findings in full", () => {
  it("nothing without the Service, or without selected pods", () => {
    expect(checkEndpoints(withService({ service: undefined }))).toEqual([]);
    expect(checkEndpoints(withService({ pods: [], slices: [] }))).toEqual([]);
  });

  it("a selector-less Service nobody publishes endpoints for", () => {
    const c = withService({
      service: service("web", { selector: undefined }),
      slices: [{ ...slice("web", []), endpoints: undefined }],
    });
    expect(checkEndpoints(c)).toEqual([
      {
        code: "ENDPOINTS_EMPTY",
        severity: "warning",
        subject,
        message: "the Service has no selector and nobody has published endpoints for it",
        evidence: { slices: ["web-abcde"] },
        next: "create an EndpointSlice labelled kubernetes.io/service-name=web in shop, or give the Service a selector",
      },
    ]);
    expect(checkEndpoints(withService({ service: service("web", { selector: undefined }) }))).toEqual([]);
  });

  it("no pod Ready: PODS_NOT_READY with the first pod's cause and the count of the others", () => {
    const c = withService({
      pods: [
        pod("web-1", { node: "node-a", ready: false, waiting: "CrashLoopBackOff" }),
        pod("web-2", { node: "node-b", ready: false }),
        pod("web-3", { node: "node-b", ready: false }),
      ],
    });
    const [finding] = checkEndpoints(c);
    expect(finding).toEqual({
      code: "PODS_NOT_READY",
      severity: "critical",
      subject,
      message:
        "0 of 3 selected pods are Ready; web-1: container app is in CrashLoopBackOff after 7 restarts; last exit 2 (Error): bind: address in use (and 2 more)",
      evidence: {
        ready: 0,
        selected: 3,
        publishNotReadyAddresses: false,
        pods: [
          {
            pod: "web-1",
            node: "node-a",
            cause: "CrashLoopBackOff",
            reason:
              "container app is in CrashLoopBackOff after 7 restarts; last exit 2 (Error): bind: address in use",
          },
          { pod: "web-2", node: "node-b", cause: "NotReady", reason: "containers not ready: app" },
          { pod: "web-3", node: "node-b", cause: "NotReady", reason: "containers not ready: app" },
        ],
      },
      next: "kubectl logs web-1 -n shop --previous",
    });
  });

  it("the next step follows the first pod's cause", () => {
    const next = (p: ReturnType<typeof pod>, extra: Partial<CollectedService> = {}) =>
      checkEndpoints(withService({ pods: [p], ...extra }))[0]?.next;
    const sandbox = pod("web-1", { ready: false, conditions: [{ type: "PodScheduled", status: "True" }] });
    expect(next(sandbox, { events: [event("web-1", "FailedCreatePodSandBox", "cni failed")] })).toBe(
      "kubectl netcheck pod web-1 -n shop   # the CNI could not set up the pod's network",
    );
    expect(
      next(pod("web-1", { ready: false }), { nodes: new Map([["node-a", node("node-a", false)]]) }),
    ).toBe("kubectl netcheck cluster");
    expect(next(pod("web-1", { ready: false }))).toBe("kubectl describe pod web-1 -n shop");
  });

  it("one pod of two not Ready, with publishNotReadyAddresses: a warning that says traffic goes there anyway", () => {
    const c = withService({
      service: service("web", { publishNotReadyAddresses: true }),
      pods: [
        pod("web-1", { node: "node-a", ready: false }),
        pod("web-2", { node: "node-b", ip: "10.244.2.10" }),
      ],
    });
    expect(checkEndpoints(c).map((f) => [f.code, f.severity, f.message])).toEqual([
      [
        "PODS_NOT_READY",
        "warning",
        "1 of 2 selected pods are Ready; web-1: containers not ready: app; publishNotReadyAddresses sends traffic to them anyway",
      ],
    ]);
    const none = withService({
      service: service("web", { publishNotReadyAddresses: true }),
      pods: [pod("web-1", { ready: false })],
    });
    expect(checkEndpoints(none)[0]?.severity).toBe("warning");
  });

  it("ENDPOINTS_EMPTY counts the pods with an IP that should be endpoints", () => {
    const noIp = pod("web-3", { ready: true });
    noIp.status = { ...noIp.status, podIP: undefined };
    const c = withService({ slices: [], pods: [...healthyService().pods, noIp] });
    expect(checkEndpoints(c)).toEqual([
      {
        code: "ENDPOINTS_EMPTY",
        severity: "critical",
        subject,
        message:
          "2 pods are Ready but the Service's EndpointSlices list no endpoint: the EndpointSlice controller is not publishing them",
        evidence: { slices: [], eligiblePods: ["web-1", "web-2"] },
        next: KCM,
      },
    ]);
    const publish = withService({
      service: service("web", { publishNotReadyAddresses: true }),
      slices: [],
      pods: [pod("web-1", { ready: false })],
    });
    expect(checkEndpoints(publish).map((f) => f.message)).toEqual([
      "0 of 1 selected pods are Ready; web-1: containers not ready: app; publishNotReadyAddresses sends traffic to them anyway",
      "1 pods are running but the Service's EndpointSlices list no endpoint: the EndpointSlice controller is not publishing them",
    ]);
    expect(
      checkEndpoints(withService({ slices: [], pods: [pod("web-1", { ready: false })] })).map((f) => f.code),
    ).toEqual(["PODS_NOT_READY"]);
  });

  it("no endpoint ready though the pods are: ENDPOINTS_NOT_READY with each endpoint", () => {
    const c = withService({
      slices: [
        slice("web", [
          { ip: "10.244.1.10", pod: "web-1", ready: false },
          { ip: "10.244.2.10", pod: "web-2", ready: false, serving: true, terminating: true },
        ]),
      ],
    });
    expect(checkEndpoints(c)).toEqual([
      {
        code: "ENDPOINTS_NOT_READY",
        severity: "critical",
        subject,
        message: "none of the Service's 2 endpoints is ready (1 terminating, 1 serving)",
        evidence: {
          endpoints: [
            {
              addresses: ["10.244.1.10"],
              pod: "web-1",
              node: undefined,
              ready: false,
              serving: false,
              terminating: false,
            },
            {
              addresses: ["10.244.2.10"],
              pod: "web-2",
              node: undefined,
              ready: false,
              serving: true,
              terminating: true,
            },
          ],
        },
        next: "kubectl get endpointslices -n shop -l kubernetes.io/service-name=web -o yaml",
      },
    ]);
  });

  it("not-ready endpoints of not-Ready pods are explained by the pods, unless one is terminating", () => {
    const pods = [pod("web-1", { ready: false })];
    const notReadySlice = slice("web", [{ ip: "10.244.1.10", pod: "web-1", ready: false }]);
    expect(checkEndpoints(withService({ pods, slices: [notReadySlice] })).map((f) => f.code)).toEqual([
      "PODS_NOT_READY",
    ]);
    const terminating = slice("web", [{ ip: "10.244.1.10", pod: "web-1", ready: false, terminating: true }]);
    expect(checkEndpoints(withService({ pods, slices: [terminating] })).map((f) => f.code)).toEqual([
      "PODS_NOT_READY",
      "ENDPOINTS_NOT_READY",
    ]);
  });

  it("a stale endpoint of a Ready pod beside a ready one; endpoints without a pod or of terminating pods are not stale", () => {
    const c = withService({
      slices: [
        slice("web", [
          { ip: "10.244.1.10", pod: "web-1" },
          { ip: "10.244.2.10", pod: "web-2", ready: false },
          { ip: "10.244.3.10", ready: false },
          { ip: "10.244.2.11", pod: "web-2", ready: false, terminating: true },
          { ip: "10.244.9.10", pod: "web-9", ready: false },
        ]),
      ],
    });
    expect(checkEndpoints(c)).toEqual([
      {
        code: "ENDPOINTS_NOT_READY",
        severity: "warning",
        subject,
        message: "1 endpoints are not ready although their pods are Ready: the EndpointSlices are stale",
        evidence: {
          endpoints: [
            {
              addresses: ["10.244.2.10"],
              pod: "web-2",
              node: undefined,
              ready: false,
              serving: false,
              terminating: false,
            },
          ],
        },
        next: KCM,
      },
    ]);
  });
});
