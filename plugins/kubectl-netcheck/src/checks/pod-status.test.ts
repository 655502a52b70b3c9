import { describe, expect, it } from "vitest";
import type { Pod } from "../model.js";
import { event, node, pod } from "../testdata/objects.js";
import { notReadyPods, notReadyReason } from "./pod-status.js";

const notReady = (options: Parameters<typeof pod>[1] = {}) => pod("web-1", { ready: false, ...options });

describe("notReadyReason", () => {
  it("a pod being deleted is Terminating, whatever else is wrong", () => {
    const p = notReady({ waiting: "CrashLoopBackOff" });
    p.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    expect(notReadyReason(p, [], null)).toEqual({
      cause: "Terminating",
      detail: "terminating since 2026-01-01T00:00:00Z",
    });
  });

  it("an unscheduled pod: the PodScheduled message, else the FailedScheduling event, else a default", () => {
    const unscheduled = notReady({
      node: "",
      conditions: [{ type: "PodScheduled", status: "False", message: "0/3 nodes are available" }],
    });
    expect(notReadyReason(unscheduled, [])).toEqual({
      cause: "Unschedulable",
      detail: "unschedulable: 0/3 nodes are available",
    });
    const noMessage = notReady({ node: "", conditions: [] });
    const events = [
      event("web-2", "FailedScheduling", "not this pod"),
      event("web-1", "FailedScheduling", "node(s) had untolerated taint"),
    ];
    expect(notReadyReason(noMessage, events).detail).toBe("unschedulable: node(s) had untolerated taint");
    expect(notReadyReason(noMessage, []).detail).toBe("unschedulable: not scheduled yet");
    const onNodeButNotScheduled = notReady({ conditions: [{ type: "PodScheduled", status: "False" }] });
    expect(notReadyReason(onNodeButNotScheduled, []).cause).toBe("Unschedulable");
  });

  it("a missing or NotReady node", () => {
    expect(notReadyReason(notReady(), [], null)).toEqual({
      cause: "NodeNotReady",
      detail: "its node node-a does not exist",
    });
    expect(notReadyReason(notReady(), [], node("node-a", false))).toEqual({
      cause: "NodeNotReady",
      detail: "its node node-a is NotReady (NodeStatusUnknown: Kubelet stopped posting node status.)",
    });
    const bare = { metadata: { name: "node-a" }, status: { conditions: [] } };
    expect(notReadyReason(notReady(), [], bare).detail).toBe("its node node-a is NotReady (no status)");
    expect(notReadyReason(notReady(), [], node("node-a", true)).cause).toBe("NotReady");
  });

  it("a sandbox failure, unless the sandbox has come up since", () => {
    const events = [
      event("web-1", "FailedCreatePodSandBox", "failed to setup network: plugin type=calico failed"),
    ];
    const p = notReady({ conditions: [{ type: "PodScheduled", status: "True" }] });
    expect(notReadyReason(p, events)).toEqual({
      cause: "SandboxFailed",
      detail: "pod sandbox/CNI failure: failed to setup network: plugin type=calico failed",
    });
    const noMessage = [{ ...event("web-1", "FailedCreatePodSandBox", ""), message: undefined }];
    expect(notReadyReason(p, noMessage).detail).toBe("pod sandbox/CNI failure:");
    expect(notReadyReason(notReady(), events).cause).toBe("NotReady");
  });

  it("CrashLoopBackOff with the last exit, in init containers too", () => {
    expect(notReadyReason(notReady({ waiting: "CrashLoopBackOff" }), [])).toEqual({
      cause: "CrashLoopBackOff",
      detail:
        "container app is in CrashLoopBackOff after 7 restarts; last exit 2 (Error): bind: address in use",
    });
    const p: Pod = notReady();
    p.status = {
      ...p.status,
      initContainerStatuses: [
        {
          name: "init",
          ready: false,
          state: { waiting: { reason: "CrashLoopBackOff" } },
          lastState: { terminated: {} },
        },
      ],
    };
    expect(notReadyReason(p, []).detail).toBe(
      "container init is in CrashLoopBackOff after 0 restarts; last exit ? (?)",
    );
    const noLast: Pod = notReady();
    noLast.status = {
      ...noLast.status,
      containerStatuses: [{ name: "app", ready: false, state: { waiting: { reason: "CrashLoopBackOff" } } }],
    };
    expect(notReadyReason(noLast, []).detail).toBe("container app is in CrashLoopBackOff after 0 restarts");
  });

  it.each(["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"])(
    "%s is an image pull failure",
    (reason) => {
      expect(notReadyReason(notReady({ waiting: reason }), [])).toEqual({
        cause: "ImagePullBackOff",
        detail: `container app: ${reason}`,
      });
    },
  );

  it("an image pull failure shows the kubelet's message", () => {
    const p = notReady();
    p.status = {
      ...p.status,
      containerStatuses: [
        { name: "app", ready: false, state: { waiting: { reason: "ErrImagePull", message: "not found" } } },
      ],
    };
    expect(notReadyReason(p, []).detail).toBe("container app: ErrImagePull: not found");
    expect(notReadyReason(notReady({ waiting: "ContainerCreating" }), []).cause).toBe("NotReady");
  });

  it("a failing readiness probe from the pod's own Unhealthy events", () => {
    const events = [
      event("web-1", "Unhealthy", "Liveness probe failed: timeout"),
      event("web-2", "Unhealthy", "Readiness probe failed: other pod"),
      event("web-1", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503"),
    ];
    expect(notReadyReason(notReady(), events)).toEqual({
      cause: "ReadinessProbeFailed",
      detail: "Readiness probe failed: HTTP probe failed with statuscode: 503",
    });
  });

  it("Pending with its reason, and the containers that are not ready", () => {
    const pending = notReady({ phase: "Pending" });
    expect(notReadyReason(pending, [])).toEqual({ cause: "Pending", detail: "Pending" });
    pending.status = { ...pending.status, reason: "Evicted" };
    expect(notReadyReason(pending, []).detail).toBe("Pending: Evicted");
    const two = notReady();
    two.status = {
      ...two.status,
      containerStatuses: [
        { name: "app", ready: false },
        { name: "sidecar", ready: true },
        { name: "proxy", ready: false },
      ],
    };
    expect(notReadyReason(two, [])).toEqual({
      cause: "NotReady",
      detail: "containers not ready: app, proxy",
    });
    const none = notReady();
    none.status = { ...none.status, containerStatuses: [] };
    expect(notReadyReason(none, [])).toEqual({ cause: "NotReady", detail: "not Ready" });
  });
});

describe("notReadyPods", () => {
  it("lists only pods that are not Ready, with the node each runs on, missing nodes as missing", () => {
    const pods = [
      pod("ok"),
      pod("down", { ready: false, node: "node-b" }),
      pod("gone", { ready: false, node: "node-c" }),
      pod("unknown", { ready: false, node: "node-d" }),
      pod("nowhere", { ready: false, node: "", conditions: [] }),
    ];
    const nodes = new Map([
      ["node-b", node("node-b", false)],
      ["node-c", undefined],
    ]);
    expect(notReadyPods(pods, [], nodes)).toEqual([
      {
        pod: "down",
        node: "node-b",
        cause: "NodeNotReady",
        reason: "its node node-b is NotReady (NodeStatusUnknown: Kubelet stopped posting node status.)",
      },
      { pod: "gone", node: "node-c", cause: "NodeNotReady", reason: "its node node-c does not exist" },
      { pod: "unknown", node: "node-d", cause: "NotReady", reason: "containers not ready: app" },
      { pod: "nowhere", node: undefined, cause: "Unschedulable", reason: "unschedulable: not scheduled yet" },
    ]);
  });
});
