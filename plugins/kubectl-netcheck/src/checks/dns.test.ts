import { describe, expect, it } from "vitest";
import { healthyDns, pod, slice } from "../testdata/objects.js";
import { checkCorefile, checkDns } from "./dns.js";

const subject = { kind: "Service", namespace: "kube-system", name: "kube-dns" };
const corednsPod = (name: string, ready = true) =>
  pod(name, { namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, ready });

describe("checkDns, findings in full", () => {
  it("healthy CoreDNS raises nothing", () => {
    expect(checkDns(healthyDns())).toEqual([]);
  });

  it("no Service and no pods: CoreDNS is not installed", () => {
    expect(checkDns({ slices: [], pods: [] })).toEqual([
      {
        code: "DNS_UNHEALTHY",
        severity: "critical",
        subject,
        message:
          "no cluster DNS: neither Service kube-system/kube-dns nor pods labelled k8s-app=kube-dns exist",
        evidence: {},
        next: "install CoreDNS: kubeadm init phase addon coredns on a kubeadm cluster; on a binary install, apply CoreDNS's manifests (or its Helm chart) with the Service IP the kubelets' clusterDNS names",
      },
    ]);
  });

  it("pods without the Service", () => {
    expect(checkDns({ ...healthyDns(), service: undefined })).toEqual([
      {
        code: "DNS_UNHEALTHY",
        severity: "critical",
        subject,
        message: "Service kube-system/kube-dns is missing, so the cluster DNS address answers nobody",
        evidence: { pods: ["coredns-1", "coredns-2"] },
        next: "kubectl netcheck dns",
      },
    ]);
  });

  it("the Service without pods", () => {
    expect(checkDns({ ...healthyDns(), pods: [], slices: [] })).toEqual([
      {
        code: "DNS_UNHEALTHY",
        severity: "critical",
        subject,
        message: "no pods labelled k8s-app=kube-dns run behind kube-system/kube-dns",
        evidence: { clusterIP: "10.96.0.10", pods: 0, readyPods: 0, readyEndpoints: [], notReady: [] },
        next: "kubectl get deployments -n kube-system coredns",
      },
    ]);
  });

  it("no CoreDNS pod Ready", () => {
    const dns = { ...healthyDns(), pods: [corednsPod("coredns-1", false), corednsPod("coredns-2", false)] };
    expect(checkDns(dns)).toEqual([
      {
        code: "DNS_UNHEALTHY",
        severity: "critical",
        subject,
        message:
          "none of the 2 CoreDNS pods is Ready (coredns-1: containers not ready: app): names of Services do not resolve",
        evidence: {
          clusterIP: "10.96.0.10",
          pods: 2,
          readyPods: 0,
          readyEndpoints: ["10.244.0.2", "10.244.0.3"],
          notReady: [
            { pod: "coredns-1", node: "node-a", reason: "containers not ready: app" },
            { pod: "coredns-2", node: "node-a", reason: "containers not ready: app" },
          ],
        },
        next: "kubectl logs -n kube-system coredns-1 --previous",
      },
    ]);
  });

  it("Ready pods but no ready endpoint", () => {
    const dns = {
      ...healthyDns(),
      slices: [
        slice("kube-dns", [{ ip: "10.244.0.2", ready: false }], "kube-system", 53),
        { ...slice("x", []), endpoints: undefined },
      ],
    };
    expect(checkDns(dns)).toEqual([
      {
        code: "DNS_UNHEALTHY",
        severity: "critical",
        subject,
        message: "2 CoreDNS pods are Ready but kube-system/kube-dns has no ready endpoint",
        evidence: { clusterIP: "10.96.0.10", pods: 2, readyPods: 2, readyEndpoints: [], notReady: [] },
        next: "kubectl netcheck dns",
      },
    ]);
  });

  it("one CoreDNS pod of two not Ready is a warning", () => {
    const dns = { ...healthyDns(), pods: [corednsPod("coredns-1"), corednsPod("coredns-2", false)] };
    expect(checkDns(dns)).toEqual([
      {
        code: "DNS_UNHEALTHY",
        severity: "warning",
        subject,
        message: "1 of 2 CoreDNS pods are not Ready (coredns-2: containers not ready: app)",
        evidence: {
          clusterIP: "10.96.0.10",
          pods: 2,
          readyPods: 1,
          readyEndpoints: ["10.244.0.2", "10.244.0.3"],
          notReady: [{ pod: "coredns-2", node: "node-a", reason: "containers not ready: app" }],
        },
        next: "kubectl netcheck dns",
      },
    ]);
  });
});

describe("checkCorefile, findings in full", () => {
  const sub = { kind: "ConfigMap", namespace: "kube-system", name: "coredns" };
  it("nothing to check without a Corefile", () => {
    expect(checkCorefile({ ...healthyDns(), corefile: undefined })).toEqual([]);
  });

  it("every problem of an empty server block", () => {
    expect(
      checkCorefile({
        ...healthyDns(),
        corefile: ".:53 {\n    errors\n    kubernetesx\n    forwarder\n    loops\n}\n",
      }),
    ).toEqual([
      {
        code: "DNS_UNHEALTHY",
        severity: "critical",
        subject: sub,
        message: "the Corefile has no kubernetes plugin: CoreDNS does not answer for cluster names",
        next: "kubectl edit configmap coredns -n kube-system",
      },
      {
        code: "DNS_UNHEALTHY",
        severity: "warning",
        subject: sub,
        message: "the Corefile forwards nowhere: names outside the cluster do not resolve",
        next: "add: forward . /etc/resolv.conf",
      },
      {
        code: "DNS_UNHEALTHY",
        severity: "info",
        subject: sub,
        message:
          "the Corefile has no loop plugin: a forwarding loop through the node's resolv.conf would go unnoticed",
      },
    ]);
  });

  it("plugins count at the start of a line, with or without arguments; the old proxy plugin forwards too", () => {
    expect(
      checkCorefile({ ...healthyDns(), corefile: ".:53 {\n\tkubernetes\n  proxy . 8.8.8.8\nloop\n}" }),
    ).toEqual([]);
    expect(
      checkCorefile({ ...healthyDns(), corefile: ".:53 { # kubernetes forward loop\n}" }).map(
        (f) => f.severity,
      ),
    ).toEqual(["critical", "warning", "info"]);
  });
});
