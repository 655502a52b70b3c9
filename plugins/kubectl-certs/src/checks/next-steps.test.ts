import { describe, expect, it } from "vitest";
import { restartStaticPod } from "../kubeadm.js";
import type { FoundCert } from "../model.js";
import { addSansStep, kubeadmProfile, renewalStep } from "./next-steps.js";

const CA_ROTATION = "https://kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates/";

const step = (over: Partial<FoundCert>): string =>
  renewalStep({
    source: "secrets",
    location: "secret/ns/web[tls.crt]",
    holder: { kind: "Secret", namespace: "ns", name: "web" },
    role: "leaf",
    ...over,
  });

describe("kubeadmProfile", () => {
  it("finds CAs, leaves and kubeconfigs by file name, and nothing for other names", () => {
    expect(kubeadmProfile("etcd/ca.crt")).toMatchObject({ file: "etcd/ca.crt", isCA: true, cn: "etcd-ca" });
    expect(kubeadmProfile("apiserver.crt")).toMatchObject({ file: "apiserver.crt", renew: "apiserver" });
    expect(kubeadmProfile("scheduler.conf")).toMatchObject({
      file: "scheduler.conf",
      renew: "scheduler.conf",
    });
    expect(kubeadmProfile("web.crt")).toBeUndefined();
    expect(kubeadmProfile(undefined)).toBeUndefined();
  });
});

describe("renewalStep", () => {
  it("a kubeadm CA: rotate it by hand", () => {
    expect(step({ source: "pki", location: "/etc/kubernetes/pki/ca.crt", kubeadmName: "ca.crt" })).toBe(
      `kubeadm does not renew CA certificates: rotate /etc/kubernetes/pki/ca.crt by hand (${CA_ROTATION})`,
    );
  });

  it("a kubeadm leaf: kubeadm certs renew, then restart the static pod that loads it", () => {
    expect(step({ source: "pki", kubeadmName: "etcd/server.crt" })).toBe(
      `on each control-plane node: kubeadm certs renew etcd-server, then restart etcd: ${restartStaticPod("etcd")}`,
    );
  });

  it("a kubeadm kubeconfig without a static pod: kubeadm certs renew alone", () => {
    expect(step({ source: "pki", kubeadmName: "super-admin.conf" })).toBe(
      "on each control-plane node: kubeadm certs renew super-admin.conf",
    );
  });

  it("the kubelet's own files", () => {
    expect(step({ source: "pki", location: "/var/lib/kubelet/pki/kubelet.crt" })).toBe(
      "the kubelet renews its own certificates when rotateCertificates (client) and serverTLSBootstrap (serving) are on in /var/lib/kubelet/config.yaml; check the kubelet log, and once the client certificate has expired, re-join the node",
    );
  });

  it("a kubeconfig's client certificate", () => {
    expect(step({ source: "kubeconfig", context: "prod-admin" })).toBe(
      "get a new client certificate for context prod-admin: on a control-plane node, kubeadm certs renew admin.conf and copy /etc/kubernetes/admin.conf, or kubeadm kubeconfig user --client-name <user>",
    );
  });

  it("a served API server certificate", () => {
    expect(step({ source: "served" })).toBe(
      `on each control-plane node: kubeadm certs renew apiserver, then restart kube-apiserver: ${restartStaticPod("kube-apiserver")}`,
    );
  });

  it("a kubelet serving certificate", () => {
    expect(step({ source: "nodes", holder: { kind: "Node", name: "worker-2" } })).toBe(
      "turn on serverTLSBootstrap in the kubelet config of node/worker-2, restart the kubelet, and approve its kubelet-serving CSR (kubectl csr approve-serving)",
    );
  });

  it("a secret: the kubectl and cmctl commands for it, or a general step when the holder is no object", () => {
    expect(step({ source: "secrets" })).toBe(
      "renew it and update the secret: kubectl create secret tls web -n ns --cert=<crt> --key=<key> --dry-run=client -o yaml | kubectl apply -f - (with cert-manager: cmctl renew -n ns web)",
    );
    expect(step({ source: "secrets", holder: { file: "/tmp/web.crt" } })).toBe(
      "renew it and update the object that holds it",
    );
  });

  it("a webhook's or an APIService's caBundle", () => {
    const expected = (holder: string) =>
      `put the CA that signs the service's serving certificate into the caBundle of ${holder}`;
    expect(
      step({ source: "webhooks", holder: { kind: "MutatingWebhookConfiguration", name: "inject" } }),
    ).toBe(expected("mutatingwebhookconfiguration/inject"));
    expect(step({ source: "apiservices", holder: { kind: "APIService", name: "v1.example.com" } })).toBe(
      expected("apiservice/v1.example.com"),
    );
  });

  it("the cluster CA and the CA a bootstrap token trusts: rotate the cluster CA", () => {
    expect(step({ source: "ca" })).toBe(`rotate the cluster CA (${CA_ROTATION})`);
    expect(step({ source: "bootstrap-tokens" })).toBe(`rotate the cluster CA (${CA_ROTATION})`);
  });
});

describe("addSansStep", () => {
  it("names every missing SAN and the kubeadm phase that writes a new certificate", () => {
    expect(addSansStep(["lb.example.com", "10.0.0.100"])).toBe(
      `add lb.example.com, 10.0.0.100 to apiServer.certSANs in the kubeadm-config ConfigMap; on each control-plane node move /etc/kubernetes/pki/apiserver.{crt,key} aside, run kubeadm init phase certs apiserver --config <that ClusterConfiguration>, then restart kube-apiserver: ${restartStaticPod("kube-apiserver")}`,
    );
  });
});
