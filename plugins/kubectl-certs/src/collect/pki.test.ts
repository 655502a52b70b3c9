import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { dump } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks } from "../checks/index.js";
import { emptyCollected } from "../model.js";
import { type Issued, issue, thresholds } from "../testing.js";
import type { SourceContext } from "./context.js";
import { pkiSource } from "./pki.js";

// A small kubeadm-shaped directory with three mistakes: apiserver.crt signed by the wrong CA and
// missing kubernetes.default.svc, apiserver.key from another pair, scheduler.conf for the wrong user.
describe("pkiSource with kubeadm's table", () => {
  let dir: string;
  let ca: Issued;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "kubemend-certs-pki-"));
    mkdirSync(path.join(dir, "pki", "etcd"), { recursive: true });
    ca = await issue({ cn: "kubernetes", ca: true, sans: { dns: ["kubernetes"] }, to: 3650 });
    const stranger = await issue({ cn: "kubernetes", ca: true, to: 3650 });
    const apiserver = await issue({
      cn: "kube-apiserver",
      sans: { dns: ["kubernetes", "kubernetes.default"], ip: ["10.96.0.1"] },
      signer: stranger,
    });
    const other = await issue({ cn: "x", signer: ca });
    const scheduler = await issue({
      cn: "system:kube-controller-manager",
      usages: ["client auth"],
      signer: ca,
    });
    const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
    write("pki/ca.crt", ca.pem);
    write("pki/apiserver.crt", apiserver.pem);
    write("pki/apiserver.key", other.key.privateKeyPem);
    write(
      "scheduler.conf",
      dump({
        users: [
          {
            name: "system:kube-scheduler",
            user: {
              "client-certificate-data": Buffer.from(scheduler.pem).toString("base64"),
              "client-key-data": Buffer.from(scheduler.key.privateKeyPem).toString("base64"),
            },
          },
        ],
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const context = (explicit: boolean, pkiDir = path.join(dir, "pki")): SourceContext => ({
    kubeFlags: { allNamespaces: false, asGroup: [], insecureSkipTlsVerify: false, requestTimeout: "0" },
    env: {},
    config: () => {
      throw new Error("no kubeconfig here");
    },
    client: () => Promise.reject(new Error("no API here")),
    options: {
      allContexts: false,
      pkiDir,
      kubeconfigDir: dir,
      kubeletPkiDir: path.join(dir, "kubelet"),
      scanOpaque: false,
      probeTimeoutMs: 1000,
      concurrency: 1,
    },
    explicit,
  });

  it("reads the files that exist, with kubeadm's names, and never keeps a key", async () => {
    const data = await pkiSource(context(false));
    expect(data.certs?.map((c) => [c.location.slice(dir.length), c.kubeadmName, c.serves])).toEqual([
      ["/pki/ca.crt", "ca.crt", undefined],
      ["/pki/apiserver.crt", "apiserver.crt", "kube-apiserver"],
      ["/scheduler.conf", "scheduler.conf", undefined],
    ]);
    expect(JSON.stringify(data)).not.toContain("PRIVATE KEY");
    expect(data.clusterCas?.map((c) => c.sha256Fingerprint)).toEqual([ca.info.sha256Fingerprint]);
  });

  it("finds each mistake, with kubeadm's fix", async () => {
    const data = await pkiSource(context(false));
    const collected = { ...emptyCollected(), certs: data.certs ?? [], bundles: data.bundles ?? [] };
    const findings = runChecks(collected, thresholds).map((f) => `${f.code} ${f.message.slice(dir.length)}`);
    expect(findings).toEqual([
      "KEY_MISMATCH /pki/apiserver.crt: the private key does not belong to CN=kube-apiserver",
      "CA_MISMATCH /pki/apiserver.crt: CN=kube-apiserver names issuer CN=kubernetes, but the given CA of that name did not sign it (a different key)",
      "SAN_MISSING /pki/apiserver.crt does not cover kubernetes.default.svc",
      'PKI_PROFILE_MISMATCH /scheduler.conf: CN is "system:kube-controller-manager", kubeadm expects "system:kube-scheduler"',
    ]);
  });

  it("skips a missing directory unless pki was asked for", async () => {
    expect(await pkiSource(context(false, "/nonexistent"))).toEqual({ skipped: true });
    expect((await pkiSource(context(true, "/nonexistent"))).warnings?.[0]?.message).toBe(
      "--pki-dir /nonexistent does not exist",
    );
  });
});

// A binary install's directory, named the cfssl way (/etc/kubernetes/cert): kubemend once said
// "No certificates found." here and exited 0.
describe("pkiSource on a directory with other names", () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "kubemend-certs-cfssl-"));
    mkdirSync(path.join(dir, "etcd"));
    const ca = await issue({ cn: "kubernetes", ca: true, to: 3650 });
    const apiserver = await issue({ cn: "kubernetes", sans: { ip: ["10.2.1.151"] }, signer: ca });
    const proxy = await issue({ cn: "aggregator", usages: ["client auth"], signer: ca, to: 3 });
    const etcd = await issue({ cn: "etcd", sans: { ip: ["10.2.1.151"] }, signer: ca });
    const other = await issue({ cn: "x", signer: ca });
    const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
    write("ca.pem", ca.pem);
    write("ca-key.pem", ca.key.privateKeyPem);
    write("kubernetes.pem", apiserver.pem);
    write("kubernetes-key.pem", apiserver.key.privateKeyPem);
    write("proxy-client.pem", proxy.pem);
    write("proxy-client-key.pem", proxy.key.privateKeyPem);
    write("etcd/etcd.crt", etcd.pem);
    write("etcd/etcd.key", other.key.privateKeyPem);
    write("token.csv", "x,kubelet-bootstrap,10001\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads every certificate file, matches each key by its name, and never keeps a key", async () => {
    const data = await pkiSource({
      kubeFlags: { allNamespaces: false, asGroup: [], insecureSkipTlsVerify: false, requestTimeout: "0" },
      env: {},
      config: () => {
        throw new Error("no kubeconfig here");
      },
      client: () => Promise.reject(new Error("no API here")),
      options: {
        allContexts: false,
        pkiDir: dir,
        kubeconfigDir: path.join(dir, "none"),
        kubeletPkiDir: path.join(dir, "none"),
        scanOpaque: false,
        probeTimeoutMs: 1000,
        concurrency: 1,
      },
      explicit: true,
    });
    expect(data.certs?.map((c) => [c.location.slice(dir.length), c.role, c.cert?.subject.cn])).toEqual([
      ["/ca.pem", "trust", "kubernetes"],
      ["/etcd/etcd.crt", "leaf", "etcd"],
      ["/kubernetes.pem", "leaf", "kubernetes"],
      ["/proxy-client.pem", "leaf", "aggregator"],
    ]);
    expect(data.bundles?.map((b) => [b.location.slice(dir.length), b.keyMatches])).toEqual([
      ["/etcd/etcd.crt", false],
      ["/kubernetes.pem", true],
      ["/proxy-client.pem", true],
    ]);
    expect(JSON.stringify(data)).not.toContain("PRIVATE KEY");
    const collected = { ...emptyCollected(), certs: data.certs ?? [], bundles: data.bundles ?? [] };
    expect(runChecks(collected, thresholds).map((f) => `${f.code} ${f.message.slice(dir.length)}`)).toEqual([
      "CERT_EXPIRING /proxy-client.pem: CN=aggregator expires in 3d (2026-06-04T00:00:00.000Z)",
      "KEY_MISMATCH /etcd/etcd.crt: the private key does not belong to CN=etcd",
    ]);
  });
});
