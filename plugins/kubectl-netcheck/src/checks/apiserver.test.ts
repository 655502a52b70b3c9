import { describe, expect, it } from "vitest";
import { healthyApiServer, pod, slice } from "../testdata/objects.js";
import { apiServerInstance, checkApiServerService } from "./apiserver.js";

const subject = { kind: "Service", namespace: "default", name: "kubernetes" };
const NEXT =
  "kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes -o wide   # the API servers' endpoint reconciler (--endpoint-reconciler-type, --advertise-address) writes them";
const apiPod = (name: string, options: Parameters<typeof pod>[1] = {}) =>
  pod(name, { namespace: "kube-system", labels: { component: "kube-apiserver" }, ...options });

describe("apiServerInstance", () => {
  it("reads --advertise-address and --secure-port from the command and args of the kube-apiserver container", () => {
    const p = apiPod("kube-apiserver-cp", { ip: "10.0.0.9" });
    p.spec.containers = [
      { name: "sidecar", command: ["--advertise-address=192.0.2.1"] },
      {
        name: "kube-apiserver",
        command: ["kube-apiserver"],
        args: ["--advertise-address=10.2.1.151", "--secure-port=8443"],
      },
    ];
    expect(apiServerInstance(p)).toEqual({
      pod: "kube-apiserver-cp",
      address: "10.2.1.151",
      port: 8443,
      ready: true,
    });
  });

  it("falls back to the first container, kubeadm's annotation, the pod IP and port 6443", () => {
    const annotated = apiPod("a", {
      ready: false,
      command: ["kube-apiserver", "--advertise-address-x=1.1.1.1"],
      annotations: { "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": "10.2.1.152:7443" },
    });
    expect(apiServerInstance(annotated)).toEqual({
      pod: "a",
      address: "10.2.1.152",
      port: 7443,
      ready: false,
    });
    const bare = apiPod("b", { ip: "10.2.1.153", command: ["kube-apiserver"] });
    expect(apiServerInstance(bare)).toEqual({ pod: "b", address: "10.2.1.153", port: 6443, ready: true });
    const portOnly = apiPod("c", {
      command: ["kube-apiserver", "--secure-port=9443"],
      annotations: { "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": "10.2.1.154:7443" },
    });
    expect(apiServerInstance(portOnly)).toMatchObject({ address: "10.2.1.154", port: 9443 });
    const noAddress = apiPod("d", { command: ["kube-apiserver"] });
    noAddress.status = { ...noAddress.status, podIP: undefined };
    expect(apiServerInstance(noAddress)).toBeUndefined();
    const noContainers = apiPod("e", { ip: "10.2.1.155" });
    noContainers.spec.containers = [];
    expect(apiServerInstance(noContainers)).toEqual({
      pod: "e",
      address: "10.2.1.155",
      port: 6443,
      ready: true,
    });
  });
});

describe("checkApiServerService, findings in full", () => {
  it("healthy: nothing", () => {
    expect(checkApiServerService(healthyApiServer())).toEqual([]);
  });

  it("the Service is missing", () => {
    expect(checkApiServerService({ ...healthyApiServer(), service: undefined })).toEqual([
      {
        code: "APISERVER_SVC_MISMATCH",
        severity: "critical",
        subject,
        message:
          "the kubernetes Service in default is missing: in-cluster clients (CNI, controllers) cannot reach the API server",
        next: "restart kube-apiserver: it recreates the Service",
      },
    ]);
  });

  it("no ready endpoint while API servers run", () => {
    const api = healthyApiServer();
    api.slices = [slice("kubernetes", [{ ip: "10.2.1.151", ready: false }], "default", 6443)];
    const evidence = {
      endpoints: [],
      endpointPorts: [6443],
      apiServers: [{ pod: "kube-apiserver-cp", address: "10.2.1.151", port: 6443, ready: true }],
      clusterIP: "10.96.0.1",
    };
    expect(checkApiServerService(api)).toEqual([
      {
        code: "APISERVER_SVC_MISMATCH",
        severity: "critical",
        subject,
        message:
          "the kubernetes Service (10.96.0.1) has no ready endpoint, while 1 API servers run: in-cluster clients time out",
        evidence,
        next: NEXT,
      },
      {
        code: "APISERVER_SVC_MISMATCH",
        severity: "warning",
        subject,
        message:
          "running API servers missing from the kubernetes Service's endpoints: 10.2.1.151 (kube-apiserver-cp)",
        evidence: { ...evidence, unlisted: ["10.2.1.151"] },
        next: NEXT,
      },
    ]);
  });

  it("an endpoint where only a not-Ready API server runs, a wrong port and an unlisted server", () => {
    const api = healthyApiServer();
    api.pods = [
      apiPod("cp1", { ready: false, command: ["kube-apiserver", "--advertise-address=10.2.1.151"] }),
      apiPod("cp2", { command: ["kube-apiserver", "--advertise-address=10.2.1.152", "--secure-port=6443"] }),
      apiPod("cp3", { command: ["kube-apiserver", "--advertise-address=10.2.1.153", "--secure-port=7443"] }),
    ];
    api.slices = [
      slice("kubernetes", [{ ip: "10.2.1.151" }, { ip: "10.2.1.152" }], "default", 443),
      slice("kubernetes", [{ ip: "10.2.1.150" }], "default", 443),
    ];
    const evidence = {
      endpoints: ["10.2.1.151", "10.2.1.152", "10.2.1.150"],
      endpointPorts: [443],
      apiServers: [
        { pod: "cp1", address: "10.2.1.151", port: 6443, ready: false },
        { pod: "cp2", address: "10.2.1.152", port: 6443, ready: true },
        { pod: "cp3", address: "10.2.1.153", port: 7443, ready: true },
      ],
      clusterIP: "10.96.0.1",
    };
    expect(checkApiServerService(api)).toEqual([
      {
        code: "APISERVER_SVC_MISMATCH",
        severity: "critical",
        subject,
        message:
          "the kubernetes Service (10.96.0.1) sends traffic to 10.2.1.151, 10.2.1.150, where no running API server advertises itself (running: 10.2.1.152, 10.2.1.153): in-cluster clients such as the CNI time out",
        evidence: { ...evidence, dead: ["10.2.1.151", "10.2.1.150"] },
        next: NEXT,
      },
      {
        code: "APISERVER_SVC_MISMATCH",
        severity: "critical",
        subject,
        message: "the kubernetes Service's endpoints use port 443, but the API servers listen on 6443, 7443",
        evidence,
        next: NEXT,
      },
      {
        code: "APISERVER_SVC_MISMATCH",
        severity: "warning",
        subject,
        message: "running API servers missing from the kubernetes Service's endpoints: 10.2.1.153 (cp3)",
        evidence: { ...evidence, unlisted: ["10.2.1.153"] },
        next: NEXT,
      },
    ]);
  });

  it("no running API server at all: every endpoint is dead", () => {
    const api = healthyApiServer();
    api.pods = [
      apiPod("cp1", { ready: false, command: ["kube-apiserver", "--advertise-address=10.2.1.151"] }),
    ];
    api.slices = [{ ...slice("kubernetes", [{ ip: "10.2.1.151" }], "default", 6443), ports: undefined }];
    expect(checkApiServerService(api).map((f) => f.message)).toEqual([
      "the kubernetes Service (10.96.0.1) sends traffic to 10.2.1.151, where no running API server advertises itself (running: none): in-cluster clients such as the CNI time out",
    ]);
  });
});
