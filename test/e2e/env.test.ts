import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createCsr, generateKey } from "@kubemend/lib/x509/issue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../env/cluster.js";
import { ENV_DIR } from "../env/paths.js";
import { waitFor } from "../env/process.js";

// The test control plane itself: real etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler built from Go modules, checked through the real kubectl.
describe("test control plane", () => {
  let cluster: TestCluster;
  let startMs = 0;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startCluster();
    startMs = Date.now() - started;
    console.log(`warm start of the control plane: ${(startMs / 1000).toFixed(1)} s`);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("answers /readyz through the real kubectl with admin.conf", async () => {
    const result = await cluster.kubectl(["get", "--raw", "/readyz"]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("ok");
  });

  it("runs the pinned Kubernetes version: the module the binaries were compiled from, not only the version stamped into them", async () => {
    const versions = JSON.parse(readFileSync(path.join(ENV_DIR, "versions.json"), "utf8"));
    // The Go toolchain records the module versions a binary was built from.
    const buildInfo = execFileSync("go", ["version", "-m", path.join(cluster.bin, "kube-apiserver")], {
      encoding: "utf8",
    });
    const compiled = buildInfo.match(/^\s+dep\s+k8s\.io\/kubernetes\s+(\S+)/m)?.[1];
    expect(compiled).toBe(versions.kubernetes);
    const result = await cluster.kubectl(["get", "--raw", "/version"]);
    expect(JSON.parse(result.stdout).gitVersion).toBe(compiled);
  });

  it("lists namespaces and the kubeadm objects with kubectl", async () => {
    const ns = await cluster.kubectl(["get", "namespaces", "-o", "name"]);
    expect(ns.stdout.split("\n")).toEqual(
      expect.arrayContaining(["namespace/kube-system", "namespace/kube-public"]),
    );
    const token = await cluster.kubectl([
      "get",
      "secret",
      "-n",
      "kube-system",
      "bootstrap-token-abcdef",
      "-o",
      "jsonpath={.type}",
    ]);
    expect(token.stdout).toBe("bootstrap.kubernetes.io/token");
    const config = await cluster.kubectl([
      "get",
      "configmap",
      "-n",
      "kube-system",
      "kubeadm-config",
      "-o",
      "jsonpath={.data.ClusterConfiguration}",
    ]);
    expect(config.stdout).toContain(`controlPlaneEndpoint: ${cluster.controlPlaneIp}:6443`);
  });

  it("has its components' processes running with kubeadm's flags", () => {
    const apiserver = cluster.processes["kube-apiserver"]?.command ?? [];
    expect(apiserver).toContain("--authorization-mode=Node,RBAC");
    expect(apiserver).toContain("--enable-bootstrap-token-auth=true");
    expect(apiserver).toContain("--service-cluster-ip-range=10.96.0.0/12");
    for (const proc of Object.values(cluster.processes)) expect(proc?.child.exitCode).toBeNull();
  });

  it("signs a CSR through the real approval subresource and signer", async () => {
    const key = await generateKey("ecdsa-p256");
    const csrPem = await createCsr({ cn: "kubemend-e2e", o: ["kubemend:testers"], key: key.privateKey });
    const manifest = {
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { name: "kubemend-e2e-roundtrip" },
      spec: {
        request: Buffer.from(csrPem).toString("base64"),
        signerName: "kubernetes.io/kube-apiserver-client",
        usages: ["digital signature", "client auth"],
        expirationSeconds: 3600,
      },
    };
    const created = await cluster.kubectl(["create", "-f", "-"], { input: JSON.stringify(manifest) });
    expect(created.code, created.stderr).toBe(0);
    const pending = await cluster.kubectl(["get", "csr", "kubemend-e2e-roundtrip", "--no-headers"]);
    expect(pending.stdout).toMatch(/Pending/);
    const approved = await cluster.kubectl(["certificate", "approve", "kubemend-e2e-roundtrip"]);
    expect(approved.code, approved.stderr).toBe(0);
    const issued = await waitFor("the signer to issue the certificate", async () => {
      const out = await cluster.kubectl([
        "get",
        "csr",
        "kubemend-e2e-roundtrip",
        "-o",
        "jsonpath={.status.certificate}",
      ]);
      return out.stdout ? out.stdout : undefined;
    });
    const cert = new X509Certificate(Buffer.from(issued, "base64"));
    const ca = new X509Certificate(readFileSync(path.join(cluster.pki.pkiDir, "ca.crt")));
    expect(cert.subject).toContain("CN=kubemend-e2e");
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(key.privateKey)).toBe(true);
    const status = await cluster.kubectl(["get", "csr", "kubemend-e2e-roundtrip", "--no-headers"]);
    expect(status.stdout).toMatch(/Approved,Issued/);
  });
});
