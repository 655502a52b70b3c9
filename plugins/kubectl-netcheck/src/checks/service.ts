import { isIP } from "node:net";
import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import type { CollectedService } from "../collect/service.js";
import type { Service } from "../model.js";

export const serviceSubject = (c: { namespace: string; name: string }) => ({
  kind: "Service",
  namespace: c.namespace,
  name: c.name,
});

export function isHeadless(service: Service): boolean {
  return service.spec.clusterIP === "None";
}

export function hasSelector(service: Service): boolean {
  return Object.keys(service.spec.selector ?? {}).length > 0;
}

/** The Service object itself: missing, ExternalName, headless, selector-less. */
export function checkServiceObject(c: CollectedService): Finding[] {
  const subject = serviceSubject(c);
  const service = c.service;
  if (!service) {
    const hints = [
      ...c.similarNames.map((n) => `${c.namespace}/${n}`),
      ...c.otherNamespaces.map((ns) => `${ns}/${c.name}`),
    ];
    return [
      finding("SVC_NOT_FOUND", {
        subject,
        message: `Service ${c.namespace}/${c.name} does not exist${hints.length > 0 ? `; did you mean ${hints.join(", ")}?` : ""}`,
        evidence: { similarNames: c.similarNames, sameNameInNamespaces: c.otherNamespaces },
        next:
          c.otherNamespaces.length > 0
            ? `kubectl netcheck svc ${c.name} -n ${c.otherNamespaces[0]}`
            : `kubectl get services -n ${c.namespace}`,
      }),
    ];
  }
  if (service.spec.type === "ExternalName") {
    const target = service.spec.externalName ?? "";
    const ip = isIP(target) !== 0;
    return [
      finding("SVC_EXTERNALNAME", {
        case: ip ? "points-at-ip" : "points-at-name",
        subject,
        message: ip
          ? `ExternalName Service points at the IP address ${target}: cluster DNS answers with a CNAME, so clients cannot resolve it`
          : `ExternalName Service: cluster DNS answers ${c.name}.${c.namespace}.svc with a CNAME to ${target}; it has no endpoints or ClusterIP to check`,
        evidence: { externalName: target },
        next: ip
          ? "use a selector-less Service with an EndpointSlice for an IP address"
          : `check that ${target} resolves from a pod`,
      }),
    ];
  }
  const out: Finding[] = [];
  if (isHeadless(service))
    out.push(
      finding("SVC_HEADLESS", {
        subject,
        message:
          "headless Service (clusterIP: None): DNS returns the ready endpoints' addresses and kube-proxy is not involved",
        evidence: { clusterIP: "None", selector: service.spec.selector ?? null },
      }),
    );
  if (!hasSelector(service)) {
    const endpoints = c.slices.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0);
    out.push(
      finding("SVC_NO_SELECTOR", {
        subject,
        message: `Service without a selector: its endpoints are managed by hand or by another controller (${endpoints} in ${c.slices.length} EndpointSlices)`,
        evidence: { slices: c.slices.map((s) => s.metadata.name), endpoints },
      }),
    );
  }
  return out;
}
