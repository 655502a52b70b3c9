import { type CaseOf, finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import { type CollectedDns, DNS_NAMESPACE, DNS_POD_LABEL, DNS_SERVICE } from "../collect/dns.js";
import { isPodReady } from "../model.js";
import { endpointState } from "./endpoints.js";
import { notReadyReason } from "./pod-status.js";

const subject = { kind: "Service", namespace: DNS_NAMESPACE, name: DNS_SERVICE };
const NEXT = `kubectl netcheck dns`;

/** DNS_UNHEALTHY: the kube-dns Service, its pods and its endpoints. */
export function checkDns(dns: CollectedDns): Finding[] {
  const unhealthy = (
    situation: CaseOf<"DNS_UNHEALTHY">,
    message: string,
    evidence: Record<string, unknown>,
    next = NEXT,
  ): Finding => finding("DNS_UNHEALTHY", { case: situation, subject, message, evidence, next });
  if (!dns.service && dns.pods.length === 0)
    return [
      unhealthy(
        "no-cluster-dns",
        `no cluster DNS: neither Service ${DNS_NAMESPACE}/${DNS_SERVICE} nor pods labelled ${DNS_POD_LABEL} exist`,
        {},
        "install CoreDNS: kubeadm init phase addon coredns on a kubeadm cluster; on a binary install, apply CoreDNS's manifests (or its Helm chart) with the Service IP the kubelets' clusterDNS names",
      ),
    ];
  if (!dns.service)
    return [
      unhealthy(
        "service-missing",
        `Service ${DNS_NAMESPACE}/${DNS_SERVICE} is missing, so the cluster DNS address answers nobody`,
        {
          pods: dns.pods.map((p) => p.metadata.name),
        },
      ),
    ];
  const ready = dns.pods.filter(isPodReady);
  const notReady = dns.pods
    .filter((p) => !isPodReady(p))
    .map((p) => ({ pod: p.metadata.name, node: p.spec.nodeName, reason: notReadyReason(p, []).detail }));
  const endpoints = dns.slices.flatMap((s) => s.endpoints ?? []);
  const readyEndpoints = endpoints.filter((e) => endpointState(e).ready);
  const evidence = {
    clusterIP: dns.service.spec.clusterIP,
    pods: dns.pods.length,
    readyPods: ready.length,
    readyEndpoints: readyEndpoints.flatMap((e) => e.addresses),
    notReady,
  };
  if (dns.pods.length === 0)
    return [
      unhealthy(
        "no-pods",
        `no pods labelled ${DNS_POD_LABEL} run behind ${DNS_NAMESPACE}/${DNS_SERVICE}`,
        evidence,
        "kubectl get deployments -n kube-system coredns",
      ),
    ];
  if (ready.length === 0)
    return [
      unhealthy(
        "no-pod-ready",
        `none of the ${dns.pods.length} CoreDNS pods is Ready (${notReady[0]?.pod}: ${notReady[0]?.reason}): names of Services do not resolve`,
        evidence,
        `kubectl logs -n ${DNS_NAMESPACE} ${notReady[0]?.pod} --previous`,
      ),
    ];
  if (readyEndpoints.length === 0)
    return [
      unhealthy(
        "no-ready-endpoint",
        `${ready.length} CoreDNS pods are Ready but ${DNS_NAMESPACE}/${DNS_SERVICE} has no ready endpoint`,
        evidence,
      ),
    ];
  if (notReady.length > 0)
    return [
      unhealthy(
        "some-pods-not-ready",
        `${notReady.length} of ${dns.pods.length} CoreDNS pods are not Ready (${notReady[0]?.pod}: ${notReady[0]?.reason})`,
        evidence,
      ),
    ];
  return [];
}

/** Obvious Corefile problems (netcheck dns): no kubernetes plugin, no upstream, no loop detection. */
export function checkCorefile(dns: CollectedDns): Finding[] {
  const corefile = dns.corefile;
  if (corefile === undefined) return [];
  const sub = { kind: "ConfigMap", namespace: DNS_NAMESPACE, name: "coredns" };
  const out: Finding[] = [];
  const plugin = (name: string) => new RegExp(`^\\s*${name}(\\s|$)`, "m").test(corefile);
  if (!plugin("kubernetes"))
    out.push(
      finding("DNS_UNHEALTHY", {
        case: "corefile-no-kubernetes-plugin",
        subject: sub,
        message: "the Corefile has no kubernetes plugin: CoreDNS does not answer for cluster names",
        next: "kubectl edit configmap coredns -n kube-system",
      }),
    );
  if (!plugin("forward") && !plugin("proxy"))
    out.push(
      finding("DNS_UNHEALTHY", {
        case: "corefile-no-upstream",
        subject: sub,
        message: "the Corefile forwards nowhere: names outside the cluster do not resolve",
        next: "add: forward . /etc/resolv.conf",
      }),
    );
  if (!plugin("loop"))
    out.push(
      finding("DNS_UNHEALTHY", {
        case: "corefile-no-loop-plugin",
        subject: sub,
        message:
          "the Corefile has no loop plugin: a forwarding loop through the node's resolv.conf would go unnoticed",
      }),
    );
  return out;
}
