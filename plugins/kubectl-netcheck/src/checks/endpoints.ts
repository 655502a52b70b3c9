import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import type { CollectedService } from "../collect/service.js";
import { type Endpoint, isPodReady } from "../model.js";
import { notReadyPods } from "./pod-status.js";
import { hasSelector, serviceSubject } from "./service.js";

/** EndpointSlice conditions: a nil `ready` or `serving` means true, a nil `terminating` false. */
export function endpointState(e: Endpoint): { ready: boolean; serving: boolean; terminating: boolean } {
  const ready = e.conditions?.ready !== false;
  return {
    ready,
    serving: e.conditions?.serving ?? ready,
    terminating: e.conditions?.terminating === true,
  };
}

/** PODS_NOT_READY, ENDPOINTS_EMPTY and ENDPOINTS_NOT_READY. */
export function checkEndpoints(c: CollectedService): Finding[] {
  const service = c.service;
  if (!service) return [];
  const subject = serviceSubject(c);
  const endpoints = c.slices.flatMap((s) => s.endpoints ?? []);
  const publishNotReady = service.spec.publishNotReadyAddresses === true;
  const out: Finding[] = [];

  if (!hasSelector(service)) {
    if (endpoints.length === 0)
      out.push(
        finding("ENDPOINTS_EMPTY", {
          case: "no-selector-no-slices",
          subject,
          message: "the Service has no selector and nobody has published endpoints for it",
          evidence: { slices: c.slices.map((s) => s.metadata.name) },
          next: `create an EndpointSlice labelled kubernetes.io/service-name=${c.name} in ${c.namespace}, or give the Service a selector`,
        }),
      );
    return out;
  }
  if (c.pods.length === 0) return out;

  const readyPods = c.pods.filter(isPodReady);
  const notReady = notReadyPods(c.pods, c.events, c.nodes);
  if (notReady.length > 0) {
    const none = readyPods.length === 0;
    const first = notReady[0];
    out.push(
      finding("PODS_NOT_READY", {
        case: publishNotReady ? "published-anyway" : none ? "none-ready" : "some-ready",
        subject,
        message: `${readyPods.length} of ${c.pods.length} selected pods are Ready; ${first?.pod}: ${first?.reason}${notReady.length > 1 ? ` (and ${notReady.length - 1} more)` : ""}${publishNotReady ? "; publishNotReadyAddresses sends traffic to them anyway" : ""}`,
        evidence: {
          ready: readyPods.length,
          selected: c.pods.length,
          publishNotReadyAddresses: publishNotReady,
          pods: notReady,
        },
        next: nextForCause(first?.cause, c.namespace, first?.pod),
      }),
    );
  }

  const eligible = publishNotReady
    ? c.pods.filter((p) => p.status?.podIP)
    : readyPods.filter((p) => p.status?.podIP);
  if (endpoints.length === 0) {
    if (eligible.length > 0)
      out.push(
        finding("ENDPOINTS_EMPTY", {
          case: "controller-not-publishing",
          subject,
          message: `${eligible.length} pods are ${publishNotReady ? "running" : "Ready"} but the Service's EndpointSlices list no endpoint: the EndpointSlice controller is not publishing them`,
          evidence: {
            slices: c.slices.map((s) => s.metadata.name),
            eligiblePods: eligible.map((p) => p.metadata.name),
          },
          next: "check kube-controller-manager: kubectl get pods -n kube-system -l component=kube-controller-manager",
        }),
      );
    return out;
  }

  const states = endpoints.map((e) => ({ e, ...endpointState(e) }));
  const ready = states.filter((s) => s.ready);
  const readyNames = new Set(readyPods.map((p) => p.metadata.name));
  // Not-ready endpoints whose pods are Ready: the slices disagree with the pods (stale, or a controller problem).
  const stale = states.filter(
    (s) => !s.ready && !s.terminating && s.e.targetRef?.name && readyNames.has(s.e.targetRef.name),
  );
  const terminating = states.filter((s) => s.terminating);
  if (ready.length === 0 && (notReady.length === 0 || stale.length > 0 || terminating.length > 0)) {
    out.push(
      finding("ENDPOINTS_NOT_READY", {
        case: "none-ready",
        subject,
        message: `none of the Service's ${endpoints.length} endpoints is ready (${terminating.length} terminating, ${states.filter((s) => s.serving).length} serving)`,
        evidence: { endpoints: states.map(endpointEvidence) },
        next: `kubectl get endpointslices -n ${c.namespace} -l kubernetes.io/service-name=${c.name} -o yaml`,
      }),
    );
  } else if (stale.length > 0) {
    out.push(
      finding("ENDPOINTS_NOT_READY", {
        case: "stale",
        subject,
        message: `${stale.length} endpoints are not ready although their pods are Ready: the EndpointSlices are stale`,
        evidence: { endpoints: stale.map(endpointEvidence) },
        next: "check kube-controller-manager: kubectl get pods -n kube-system -l component=kube-controller-manager",
      }),
    );
  }
  return out;
}

function endpointEvidence(s: { e: Endpoint; ready: boolean; serving: boolean; terminating: boolean }) {
  return {
    addresses: s.e.addresses,
    pod: s.e.targetRef?.name,
    node: s.e.nodeName,
    ready: s.ready,
    serving: s.serving,
    terminating: s.terminating,
  };
}

function nextForCause(cause: string | undefined, namespace: string, pod: string | undefined): string {
  const p = `${pod} -n ${namespace}`;
  switch (cause) {
    case "CrashLoopBackOff":
      return `kubectl logs ${p} --previous`;
    case "SandboxFailed":
      return `kubectl netcheck pod ${p}   # the CNI could not set up the pod's network`;
    case "NodeNotReady":
      return "kubectl netcheck cluster";
    default:
      return `kubectl describe pod ${p}`;
  }
}
