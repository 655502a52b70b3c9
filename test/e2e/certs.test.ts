import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { createCertificate, generateKey } from "@kubemend/lib/x509/issue";
import { dump, load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startCluster, type TestCluster } from "../env/cluster.js";
import { writeKubeconfig } from "../env/kubeconfig-file.js";
import { type Kubelet, startKubelet } from "../env/kubelet.js";
import type { LoadBalancer } from "../env/load-balancer.js";
import { issueClientKubeconfig } from "../env/pki.js";
import { httpsGet, waitFor } from "../env/process.js";
import { plantExpiredKubeconfig, plantKubeletRenewedOnDisk, plantLoadBalancer } from "../env/scenarios.js";
import { kubectlPlugin, type RunResult } from "./plugins.js";

// kubectl certs on the real control plane, through the real kubectl, with the seed incidents
// planted: S2 (legacy kubelets, Pending serving CSRs), S3 (a load balancer the API server
// certificate does not cover), S4 (an expired kubeconfig, apiserver.crt renewed on disk but not
// reloaded), S5 (an expired bootstrap token), and TLS secrets good and bad.

const DAY = 86_400_000;
const NS = "certs-e2e";
const HOLD = "kubemend.io/e2e-hold";

interface Finding {
  code: string;
  severity: string;
  subject: Record<string, string>;
  message: string;
  evidence?: Record<string, unknown>;
  next?: string;
}
interface Row {
  source: string;
  location: string;
  subject: string;
  notAfter?: string;
  status: string;
  serial?: string;
}
interface Report {
  kind: string;
  sources: string[];
  certificates: Row[];
  findings: Finding[];
  warnings: { source: string; message: string; hint?: string }[];
}

function openssl(args: string[], input?: string): string {
  return execFileSync("openssl", args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/** openssl's "notAfter=Nov 23 12:00:00 2027 GMT" as an ISO time. */
function opensslEndDate(pem: string): string {
  const text = openssl(["x509", "-noout", "-enddate"], pem)
    .trim()
    .replace(/^notAfter=/, "");
  return new Date(text).toISOString();
}

/** openssl drops a leading zero nibble; kubemend prints whole bytes. Compared as numbers. */
function opensslSerial(pem: string): string {
  return serialValue(
    openssl(["x509", "-noout", "-serial"], pem)
      .trim()
      .replace(/^serial=/, ""),
  );
}

/** The kubelet-serving CSRs a node filed that nobody has answered yet. */
async function pendingServingCsrs(admin: KubeClient, node: string): Promise<string[]> {
  const names: string[] = [];
  for await (const csr of admin.list<{
    metadata: { name: string };
    spec: { signerName: string; username: string };
    status?: { conditions?: unknown[] };
  }>({ group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" }))
    if (
      csr.spec.signerName === "kubernetes.io/kubelet-serving" &&
      csr.spec.username === `system:node:${node}` &&
      !csr.status?.conditions?.length
    )
      names.push(csr.metadata.name);
  return names;
}

/** openssl's SHA-256 fingerprint, as kubemend prints it: lower-case hex without colons. */
function opensslFingerprint(pem: string): string {
  return openssl(["x509", "-noout", "-fingerprint", "-sha256"], pem)
    .trim()
    .replace(/^.*Fingerprint=/, "")
    .replaceAll(":", "")
    .toLowerCase();
}

/** The "  Name:   value" lines of one certificate in `certs inspect`'s text. */
function inspectFields(section: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of section.split("\n")) {
    const match = /^ {2}([A-Za-z0-9 -]+):\s*(.*)$/.exec(line);
    if (match) fields[match[1] as string] = (match[2] as string).trim();
  }
  return fields;
}

function serialValue(hex: unknown): string {
  return String(hex).toLowerCase().replace(/^0+/, "");
}

/** The chain a server presents now, as openssl s_client prints it. */
function servedChain(ip: string, port: number): string {
  return execFileSync("openssl", ["s_client", "-connect", `${ip}:${port}`], {
    encoding: "utf8",
    input: "",
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** The serial the API server presents now. */
function servedSerial(ip: string): string {
  return opensslSerial(servedChain(ip, 6443));
}

describe("kubectl certs", () => {
  let cluster: TestCluster;
  let nodes: Kubelet[];
  let balancer: LoadBalancer;
  let expiredKubeconfig: string;
  let admin: KubeClient;
  const now = new Date();

  const certs = (args: string[], kubeconfig = cluster.adminKubeconfig) =>
    kubectlPlugin(["certs", ...args, "--kubeconfig", kubeconfig]);
  const report = (result: RunResult): Report => {
    if (result.stdout === "") throw new Error(`no output (exit ${result.code}): ${result.stderr}`);
    return JSON.parse(result.stdout) as Report;
  };
  const pkiFlags = () => ["--pki-dir", cluster.pki.pkiDir, "--kubeconfig-dir", cluster.root];

  beforeAll(async () => {
    cluster = await startCluster();
    admin = await cluster.admin();
    nodes = await Promise.all([
      startKubelet(cluster, { index: 1, serving: "serverTLSBootstrap" }),
      startKubelet(cluster, { index: 2, serving: "legacy" }),
      startKubelet(cluster, { index: 3, serving: "legacy" }),
    ]);
    ({ balancer } = await plantLoadBalancer(cluster));
    expiredKubeconfig = await plantExpiredKubeconfig(cluster, now);
    await cluster.kubeadm.run(["certs", "renew", "apiserver"]);
    await plantSecrets(admin);
    await plantAggregation(admin);
  });
  afterAll(async () => {
    if (admin) await releaseHold(admin).catch(() => undefined);
    await balancer?.close();
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await cluster?.stop();
  });

  it("--source pki gives the expiry dates openssl reads from each file, with kubeadm's renew command", async () => {
    const result = await certs(["expiry", "--source", "pki", ...pkiFlags(), "-o", "json"]);
    const parsed = report(result);
    const files = [
      "ca",
      "front-proxy-ca",
      "etcd/ca",
      "apiserver",
      "apiserver-kubelet-client",
      "front-proxy-client",
      "apiserver-etcd-client",
      "etcd/server",
      "etcd/peer",
      "etcd/healthcheck-client",
    ] as const;
    for (const name of files) {
      const file = cluster.pki.path(name).cert;
      const row = parsed.certificates.find((r) => r.location === file);
      expect(row, file).toBeDefined();
      expect(row?.notAfter).toBe(opensslEndDate(openssl(["x509", "-in", file])));
      expect(serialValue(row?.serial)).toBe(opensslSerial(openssl(["x509", "-in", file])));
    }
    for (const conf of ["admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf"]) {
      const file = path.join(cluster.root, conf);
      const doc = load(readFileSync(file, "utf8")) as {
        users: { user: Record<string, string> }[];
      };
      const pem = Buffer.from(doc.users[0]?.user["client-certificate-data"] ?? "", "base64").toString();
      const row = parsed.certificates.find((r) => r.location === file);
      expect(row?.notAfter, file).toBe(opensslEndDate(pem));
    }
    // With the PKI, the local etcd is asked what it serves: the file's certificate.
    const etcd = parsed.certificates.find(
      (r) => r.source === "served" && r.location === `${cluster.controlPlaneIp}:2379`,
    );
    expect(serialValue(etcd?.serial)).toBe(
      opensslSerial(openssl(["x509", "-in", cluster.pki.path("etcd/server").cert])),
    );
    // Nothing in a fresh kubeadm PKI is wrong; S4 renewed apiserver.crt, which leaves it valid.
    expect(parsed.findings).toEqual([]);
    expect(result.code).toBe(0);
  });

  it("S4: a kubelet certificate replaced on disk without its key is never loaded: SERVED_DIFFERS_FROM_DISK and KEY_MISMATCH", async () => {
    const legacy = nodes[2] as Kubelet;
    const kubeletCrt = path.join(legacy.pkiDir, "kubelet.crt");
    const servedPem = readFileSync(kubeletCrt, "utf8");
    const replacement = await plantKubeletRenewedOnDisk(cluster, legacy, { now, withKey: false });
    // The real kubelet watches the pair, tries it, and keeps serving the old one.
    await vi.waitFor(
      () => expect(readFileSync(legacy.log, "utf8")).toMatch(/private key (type )?does not match public key/),
      {
        timeout: 30_000,
        interval: 250,
      },
    );
    expect(opensslSerial(servedChain(legacy.ip, 10250))).toBe(opensslSerial(servedPem));
    const result = await certs([
      "expiry",
      "--source",
      "pki,nodes",
      ...pkiFlags(),
      "--kubelet-pki-dir",
      legacy.pkiDir,
      "-o",
      "json",
    ]);
    const findings = report(result).findings;
    const drift = findings.filter((f) => f.code === "SERVED_DIFFERS_FROM_DISK");
    const evidence = drift.map((f) => ({
      ...f.evidence,
      servedSerial: serialValue(f.evidence?.servedSerial),
      diskSerial: serialValue(f.evidence?.diskSerial),
    }));
    expect(evidence).toEqual([
      {
        component: "kubelet",
        endpoint: `${legacy.ip}:10250`,
        file: kubeletCrt,
        servedSerial: opensslSerial(servedPem),
        servedNotAfter: opensslEndDate(servedPem),
        diskSerial: opensslSerial(replacement),
        diskNotAfter: opensslEndDate(replacement),
      },
    ]);
    expect(drift[0]?.next).toBe(
      `kubelets since 1.31 load a new ${kubeletCrt} by themselves once it and its key match: check that the key beside it belongs to it (KEY_MISMATCH), then restart the kubelet on that node (systemctl restart kubelet); older kubelets need the restart in any case`,
    );
    expect(findings.filter((f) => f.code === "KEY_MISMATCH").map((f) => f.subject)).toEqual([
      { file: kubeletCrt },
    ]);
    expect(result.code).toBe(1);
  });

  it("S4: the real kubelet loads a replaced certificate and key by itself: once it serves them, there is no drift", async () => {
    const legacy = nodes[2] as Kubelet;
    const replacement = await plantKubeletRenewedOnDisk(cluster, legacy, { now, withKey: true });
    await vi.waitFor(
      () => expect(opensslSerial(servedChain(legacy.ip, 10250))).toBe(opensslSerial(replacement)),
      {
        timeout: 90_000,
        interval: 500,
      },
    );
    const result = await certs([
      "expiry",
      "--source",
      "pki,nodes",
      ...pkiFlags(),
      "--kubelet-pki-dir",
      legacy.pkiDir,
      "-o",
      "json",
    ]);
    const findings = report(result).findings;
    expect(
      findings.filter((f) => f.code === "SERVED_DIFFERS_FROM_DISK" || f.code === "KEY_MISMATCH"),
    ).toEqual([]);
  });

  it("kube-apiserver reloads a renewed apiserver.crt by itself: once it serves the file, there is no drift", async () => {
    const diskSerial = opensslSerial(openssl(["x509", "-in", cluster.pki.path("apiserver").cert]));
    // kube-apiserver watches its serving certificate files (dynamic serving certificates).
    await vi.waitFor(() => expect(servedSerial(cluster.controlPlaneIp)).toBe(diskSerial), {
      timeout: 90_000,
      interval: 1000,
    });
    const result = await certs(["expiry", "--source", "pki,served", ...pkiFlags(), "-o", "json"]);
    const parsed = report(result);
    expect(parsed.findings.filter((f) => f.code === "SERVED_DIFFERS_FROM_DISK")).toEqual([]);
    const served = parsed.certificates.find(
      (r) => r.source === "served" && r.location === `${cluster.controlPlaneIp}:6443`,
    );
    expect(serialValue(served?.serial)).toBe(diskSerial);
  });

  it("S4: an expired kubeconfig client certificate is CERT_EXPIRED; the sources it cannot reach are warnings, exit 1 not 3", async () => {
    const result = await certs(["expiry", "-o", "json"], expiredKubeconfig);
    const parsed = report(result);
    const expired = parsed.findings.find(
      (f) => f.code === "CERT_EXPIRED" && f.evidence?.source === "kubeconfig",
    );
    expect(expired?.subject).toEqual({ file: expiredKubeconfig });
    expect(expired?.evidence?.subject).toBe("CN=kubernetes-admin,O=kubeadm:cluster-admins");
    expect(expired?.message).toMatch(/expired 3d ago/);
    expect(parsed.sources).toContain("kubeconfig");
    expect(parsed.warnings.map((w) => w.source)).toContain("secrets");
    expect(parsed.warnings.find((w) => w.source === "secrets")?.message).toMatch(/Unauthorized/);
    expect(result.stderr).toMatch(/^warning: .*secrets.*Unauthorized/m);
    expect(result.code).toBe(1);
  });

  it("S2: legacy kubelets are self-signed without IP SANs; a serverTLSBootstrap node has its Pending CSR named", async () => {
    const [controlPlane, legacy] = nodes as [Kubelet, Kubelet];
    const result = await certs(["expiry", "--source", "nodes", "-o", "json"]);
    const findings = report(result).findings;
    const of = (node: Kubelet, code: string) =>
      findings.filter((f) => f.subject.name === node.name && f.code === code);
    expect(of(legacy, "KUBELET_SELF_SIGNED")).toHaveLength(1);
    const noIp = of(legacy, "KUBELET_NO_IP_SAN")[0];
    expect(noIp?.evidence?.missing).toEqual([legacy.ip]);
    expect(noIp?.message).toContain(`x509: cannot validate certificate for ${legacy.ip}`);
    const pending = of(controlPlane, "KUBELET_SERVING_CSR_PENDING");
    expect(pending.map((f) => f.evidence?.csr)).toEqual(await pendingServingCsrs(admin, controlPlane.name));
    expect(pending).toHaveLength(1);
    // The real kubelet serves no TLS at all until its serving CSR is approved.
    expect(of(controlPlane, "KUBELET_UNREACHABLE")).toHaveLength(1);
    expect(of(controlPlane, "KUBELET_SELF_SIGNED")).toEqual([]);
    expect(result.code).toBe(0);
  });

  it("S3: certs sans --address names the load-balancer address the API server certificate lacks", async () => {
    const lb = `${cluster.loadBalancerIp}:6443`;
    const result = await certs(["sans", "--address", lb, "-o", "json"]);
    const parsed = JSON.parse(result.stdout) as {
      expected: { address: string; from: string[]; missingAt: string[] }[];
      findings: Finding[];
    };
    const missing = parsed.expected.filter((e) => e.missingAt.length > 0);
    expect(missing.map((e) => e.address)).toEqual([cluster.loadBalancerIp]);
    expect(missing[0]?.from).toEqual(["--address"]);
    expect(parsed.expected.find((e) => e.address === "10.96.0.1")?.from).toEqual([
      "service/default/kubernetes",
    ]);
    expect(parsed.findings.map((f) => f.code)).toEqual(["SAN_MISSING"]);
    expect(result.code).toBe(1);

    const table = await certs(["sans", "--address", lb]);
    expect(table.stdout).toMatch(
      new RegExp(`^${cluster.loadBalancerIp.replaceAll(".", "\\.")}\\s+--address\\s+NO$`, "m"),
    );
    const fine = await certs(["sans"]);
    expect(fine.code).toBe(0);

    const legacy = nodes[1] as Kubelet;
    const withNodes = JSON.parse((await certs(["sans", "--nodes", "-o", "json"])).stdout) as {
      findings: Finding[];
    };
    expect(withNodes.findings.map((f) => [f.code, f.subject.name, f.evidence?.missing])).toEqual([
      ["KUBELET_NO_IP_SAN", legacy.name, [legacy.ip]],
    ]);
  });

  it("S5: an expired bootstrap token is BOOTSTRAP_TOKEN_EXPIRED; the token secret itself never appears", async () => {
    const result = await certs(["expiry", "--source", "bootstrap-tokens", "-o", "json"]);
    const expired = report(result).findings.filter((f) => f.code === "BOOTSTRAP_TOKEN_EXPIRED");
    expect(expired.map((f) => f.evidence?.tokenId)).toEqual(["0ld0ld"]);
    expect(result.stdout).not.toContain("0123456789abcdef");
    expect(result.stdout).not.toContain("deadbeefdeadbeef");
  });

  it("secrets: every PEM block, one bad secret never aborts, a wrong key is KEY_MISMATCH, no key is printed", async () => {
    // Two per page: the listing must follow the continue token across pages.
    const result = await certs([
      "expiry",
      "--source",
      "secrets",
      "-n",
      NS,
      "--chunk-size",
      "2",
      "-o",
      "json",
    ]);
    const parsed = report(result);
    const locations = parsed.certificates.map((r) => r.location).sort();
    expect(locations).toEqual([
      `secret/${NS}/bad-pem[tls.crt] (block 0)`,
      `secret/${NS}/chain[tls.crt]#0`,
      `secret/${NS}/chain[tls.crt]#1`,
      `secret/${NS}/expiring[tls.crt]`,
      `secret/${NS}/wrong-key[tls.crt]`,
    ]);
    const codes = parsed.findings.map((f) => `${f.code} ${f.subject.name}`).sort();
    expect(codes).toEqual([
      "CERT_EXPIRING expiring",
      "CERT_UNPARSABLE bad-pem",
      "CHAIN_WRONG_ORDER chain",
      "KEY_MISMATCH wrong-key",
    ]);
    expect(result.stdout).not.toMatch(/PRIVATE KEY/);
    const opaque = report(
      await certs(["expiry", "--source", "secrets", "-n", NS, "--scan-opaque", "-o", "json"]),
    );
    expect(opaque.certificates.map((r) => r.location)).toContain(`secret/${NS}/opaque-ca[ca.pem]`);
  });

  it("webhook caBundles and APIServices: an expired caBundle, and the aggregator's Available=False next to it", async () => {
    const result = await certs(["expiry", "--source", "webhooks,apiservices", "-o", "json"]);
    const parsed = report(result);
    const expired = parsed.findings.filter((f) => f.code === "CABUNDLE_EXPIRED");
    expect(expired.map((f) => f.subject)).toEqual([
      { kind: "APIService", name: "v1beta1.metrics.k8s.io" },
      { kind: "ValidatingWebhookConfiguration", name: "e2e-policy" },
    ]);
    const bundle = expired[1];
    expect(bundle?.evidence?.location).toBe(
      "validatingwebhookconfiguration/e2e-policy[check.e2e.example.com.caBundle]",
    );
    await vi.waitFor(
      async () => {
        const again = report(await certs(["expiry", "--source", "apiservices", "-o", "json"]));
        const unavailable = again.findings.find((f) => f.code === "APISERVICE_UNAVAILABLE");
        expect(unavailable?.subject).toEqual({ kind: "APIService", name: "v1beta1.metrics.k8s.io" });
        expect(unavailable?.evidence).toMatchObject({
          service: "kube-system/metrics-server",
          available: "False",
        });
      },
      { timeout: 60_000, interval: 1000 },
    );
    expect(
      parsed.certificates.some((r) => r.location === "apiservice/v1beta1.metrics.k8s.io[caBundle]"),
    ).toBe(true);
  });

  it("--all-contexts reads every context's client certificate", async () => {
    const merged = path.join(cluster.root, "two-contexts.conf");
    const doc = (file: string) =>
      load(readFileSync(file, "utf8")) as Record<
        string,
        { name: string; context?: Record<string, string> }[]
      >;
    const a = doc(cluster.adminKubeconfig);
    const b = doc(expiredKubeconfig);
    const rename = (d: typeof a, suffix: string) => ({
      clusters: d.clusters?.map((c) => ({ ...c, name: `${c.name}-${suffix}` })),
      users: d.users?.map((u) => ({ ...u, name: `${u.name}-${suffix}` })),
      contexts: d.contexts?.map((c) => ({
        name: `${c.name}-${suffix}`,
        context: { cluster: `${c.context?.cluster}-${suffix}`, user: `${c.context?.user}-${suffix}` },
      })),
    });
    const [ra, rb] = [rename(a, "ok"), rename(b, "old")];
    writeFileSync(
      merged,
      dump({
        apiVersion: "v1",
        kind: "Config",
        clusters: [...(ra.clusters ?? []), ...(rb.clusters ?? [])],
        users: [...(ra.users ?? []), ...(rb.users ?? [])],
        contexts: [...(ra.contexts ?? []), ...(rb.contexts ?? [])],
        "current-context": ra.contexts?.[0]?.name,
      }),
    );
    const only = report(await certs(["expiry", "--source", "kubeconfig", "-o", "json"], merged));
    expect(only.findings).toEqual([]);
    const all = report(
      await certs(["expiry", "--source", "kubeconfig", "--all-contexts", "-o", "json"], merged),
    );
    expect(all.findings.map((f) => [f.code, f.evidence?.location])).toEqual([
      ["CERT_EXPIRED", "kubernetes-admin@kubernetes-old: user kubernetes-admin-old client-certificate-data"],
    ]);
  });

  it("a 403 on a source is a warning naming the permission; the other sources still run", async () => {
    const viewer = await issueClientKubeconfig(cluster.pki, {
      path: path.join(cluster.root, "nobody.conf"),
      user: "nobody",
    });
    const result = await certs(["expiry", "--source", "kubeconfig,secrets", "-o", "json"], viewer);
    const parsed = report(result);
    expect(parsed.sources).toEqual(["kubeconfig"]);
    expect(parsed.warnings).toEqual([
      expect.objectContaining({
        source: "secrets",
        message: "forbidden: cannot list secrets at the cluster scope",
      }),
    ]);
    expect(result.stderr).toContain("kubectl auth can-i list secrets -A");
    expect(result.code).toBe(0);
  });

  it("exit 3 only when nothing could be read", async () => {
    const dead = path.join(cluster.root, "dead.conf");
    await writeKubeconfig(dead, {
      server: `https://10.2.${cluster.block}.250:6443`,
      caPem: cluster.pki.ca.certPem,
      user: { token: "x" },
      userName: "dead",
    });
    const result = await certs(["expiry", "--source", "served,secrets", "--request-timeout", "2s"], dead);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: no source could be read/m);
  });

  it("a hung API server makes the run incomplete: what was read is printed, then exit 3, even with --fail-on warning", async () => {
    cluster.pause("kube-apiserver");
    let result: RunResult;
    try {
      result = await certs([
        "expiry",
        "--source",
        "kubeconfig,secrets,bootstrap-tokens",
        "--request-timeout",
        "2s",
        "--fail-on",
        "warning",
        "-o",
        "json",
      ]);
    } finally {
      cluster.resume("kube-apiserver");
    }
    expect(result.code, result.stderr).toBe(3);
    const parsed = report(result);
    expect(parsed.sources).toEqual(["kubeconfig"]);
    expect(parsed.certificates.some((r) => r.source === "kubeconfig")).toBe(true);
    expect(parsed.warnings.map((w) => w.source).sort()).toEqual(["bootstrap-tokens", "secrets"]);
    expect(result.stderr).toMatch(
      /^error: incomplete: the API server did not answer for (secrets, bootstrap-tokens|bootstrap-tokens, secrets): no answer from the API server at https:\/\/\S+ within 2s/m,
    );
    // Answered again: the same run is complete.
    await waitFor("the API server after SIGCONT", async () => {
      const again = await certs(["expiry", "--source", "secrets", "-o", "json"]);
      return again.code !== 3 && report(again).sources.includes("secrets") ? true : undefined;
    });
  });

  it("-o prometheus prints x509-certificate-exporter's metrics", async () => {
    const result = await certs(["expiry", "--source", "pki", ...pkiFlags(), "-o", "prometheus"]);
    const file = cluster.pki.path("apiserver-kubelet-client").cert;
    const notAfter = Math.floor(new Date(opensslEndDate(openssl(["x509", "-in", file]))).getTime() / 1000);
    const line = result.stdout
      .split("\n")
      .find((l) => l.startsWith("x509_cert_not_after{") && l.includes(`filepath="${file}"`));
    expect(line).toMatch(/subject_CN="kube-apiserver-kubelet-client"/);
    expect(line?.endsWith(` ${notAfter}`)).toBe(true);
    expect(result.stdout).toContain("x509_read_errors 0");
  });

  it("inspect shows every field of a secret's chain and lints it", async () => {
    const result = await certs(["inspect", `secret/${NS}/chain`]);
    expect(result.stdout).toContain("CHAIN_WRONG_ORDER");
    // Each certificate of the secret, field by field, against what openssl reads from the same PEM.
    const stored = await cluster.kubectl([
      "get",
      "secret",
      "chain",
      "-n",
      NS,
      "-o",
      "jsonpath={.data.tls\\.crt}",
    ]);
    const pems = Buffer.from(stored.stdout, "base64")
      .toString()
      .match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) as string[];
    expect(pems).toHaveLength(2);
    const sections = result.stdout.split(/\n(?=\S)/);
    for (const pem of pems) {
      const fields = inspectFields(
        sections.find((section) => section.includes(opensslFingerprint(pem))) ?? "",
      );
      const x509 = openssl(
        [
          "x509",
          "-noout",
          "-subject",
          "-issuer",
          "-nameopt",
          "RFC2253",
          "-ext",
          "subjectAltName,basicConstraints,subjectKeyIdentifier,authorityKeyIdentifier",
        ],
        pem,
      );
      expect(fields["SHA-256"]).toBe(opensslFingerprint(pem));
      expect(serialValue(fields.Serial)).toBe(opensslSerial(pem));
      expect(fields["Not after"]?.split(" ")[0]).toBe(opensslEndDate(pem));
      expect(fields["Not before"]).toBe(
        new Date(
          openssl(["x509", "-noout", "-startdate"], pem)
            .trim()
            .replace(/^notBefore=/, ""),
        ).toISOString(),
      );
      const dn = (prefix: string) =>
        (x509.match(new RegExp(`^${prefix}=(.*)$`, "m"))?.[1] ?? "").split(",").sort().join(",");
      expect(fields.Subject?.split(",").sort().join(",")).toBe(dn("subject"));
      expect(fields.Issuer?.split(",").sort().join(",")).toBe(dn("issuer"));
      const sans = x509.match(/X509v3 Subject Alternative Name:\s*\n\s*(.*)/)?.[1] ?? "";
      expect(fields.SANs ?? "").toBe(sans.replaceAll("IP Address:", "IP:"));
      expect(fields.CA).toBe(/CA:TRUE/.test(x509) ? "true" : "false");
      const keyId = (label: string) =>
        (x509.match(new RegExp(`${label}:\\s*\\n\\s*([0-9A-F:]+)`))?.[1] ?? "")
          .replaceAll(":", "")
          .toLowerCase();
      expect(fields["Subject key ID"] ?? "").toBe(keyId("X509v3 Subject Key Identifier"));
      expect(fields["Authority key ID"] ?? "").toBe(keyId("X509v3 Authority Key Identifier"));
    }
    const legacy = nodes[1] as Kubelet;
    const node = await certs(["inspect", `node/${legacy.name}`]);
    expect(node.stdout).toMatch(new RegExp(`^${legacy.ip.replaceAll(".", "\\.")}:10250#0 \\(leaf\\)$`, "m"));
    expect(node.stdout).toMatch(new RegExp(`^ {2}SANs: +DNS:${legacy.name}$`, "m"));
    const api = await certs(["inspect", "apiserver", "-o", "json"]);
    const parsed = JSON.parse(api.stdout) as { certificates: { certificate: { serial: string } }[] };
    expect(serialValue(parsed.certificates[0]?.certificate.serial)).toBe(
      servedSerial(cluster.controlPlaneIp),
    );
  });
});

describe("kubectl certs: a stale kube-root-ca.crt", () => {
  let cluster: TestCluster;

  // kube-controller-manager's root-ca-cert-publisher rewrites a stale copy within a second, so a
  // stale copy only lives while it is not running (the controller-manager down, or started with
  // that controller off, as here).
  beforeAll(async () => {
    cluster = await startCluster({ disableControllers: ["root-ca-cert-publisher"] });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("ROOT_CA_STALE names the namespace whose copy holds another CA, and only that one", async () => {
    const admin = await cluster.admin();
    const core = (resource: string, namespace?: string) => ({
      group: "",
      version: "v1",
      resource,
      namespace,
    });
    const now = Date.now();
    // The CA before a rotation: the same name as the cluster's, another key.
    const oldKey = await generateKey("rsa-2048");
    const oldCa = await createCertificate({
      subject: { cn: "kubernetes" },
      keyUsages: ["digital signature", "key encipherment", "cert sign"],
      extKeyUsages: [],
      isCA: true,
      notBefore: new Date(now - 400 * DAY),
      notAfter: new Date(now + 3000 * DAY),
      publicKey: oldKey.privateKey,
    });
    type ConfigMap = { metadata: { resourceVersion?: string }; data?: Record<string, string> };
    // Create, or overwrite what a publisher may have written first: the copy a stale namespace has.
    const copy = async (namespace: string, pem: string) => {
      const ref = { ...core("configmaps", namespace), name: "kube-root-ca.crt" };
      const body = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "kube-root-ca.crt", namespace },
        data: { "ca.crt": pem },
      };
      const existing = await admin.get<ConfigMap>(ref).catch(() => undefined);
      if (existing)
        await admin.replace(ref, {
          ...body,
          metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion },
        });
      else await admin.create(core("configmaps", namespace), body);
    };
    for (const name of ["root-ca-current", "root-ca-stale"])
      await admin.create(core("namespaces"), { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    // The controller-manager's controllers are at work once they give the new namespace its
    // default ServiceAccount; a running publisher would act as fast.
    await waitFor("the default ServiceAccount of root-ca-stale", () =>
      admin.get({ ...core("serviceaccounts", "root-ca-stale"), name: "default" }),
    );
    await copy("kube-system", cluster.pki.ca.certPem);
    await copy("root-ca-current", cluster.pki.ca.certPem);
    await copy("root-ca-stale", oldCa);
    // No publisher can repair the stale copy: the controller-manager's /healthz lists a check for
    // each controller it started, and root-ca-cert-publisher's is not among them.
    const healthz = await httpsGet(`https://${cluster.controlPlaneIp}:10257/healthz?verbose`, {
      rejectUnauthorized: false,
    });
    expect(healthz.body).toMatch(/^\[\+\]serviceaccount-controller ok$/m);
    expect(healthz.body).not.toContain("root-ca-certificate-publisher-controller");

    const result = await kubectlPlugin([
      "certs",
      "expiry",
      "--source",
      "ca",
      "-o",
      "json",
      "--kubeconfig",
      cluster.adminKubeconfig,
    ]);
    const parsed = JSON.parse(result.stdout || "{}") as Report;
    const stale = (parsed.findings ?? []).filter((f) => f.code === "ROOT_CA_STALE");
    expect(
      stale.map((f) => f.subject),
      result.stderr,
    ).toEqual([{ kind: "ConfigMap", namespace: "root-ca-stale", name: "kube-root-ca.crt" }]);
    const fingerprint = (pem: string) =>
      new X509Certificate(pem).fingerprint256.replaceAll(":", "").toLowerCase();
    expect(stale[0]?.evidence).toEqual({
      fingerprints: [fingerprint(oldCa)],
      kubeSystem: [fingerprint(cluster.pki.ca.certPem)],
    });
    expect(stale[0]?.message).toContain("namespace root-ca-stale");
    // A warning: below the default --fail-on critical.
    expect(result.code).toBe(0);
    // Nothing repaired it meanwhile: the finding describes the cluster as it still is.
    const after = await admin.get<{ data: Record<string, string> }>({
      ...core("configmaps", "root-ca-stale"),
      name: "kube-root-ca.crt",
    });
    expect(after.data["ca.crt"]).toBe(oldCa);
  });
});

/** TLS secrets good and bad, an Opaque secret holding a CA, and an expired bootstrap token held by a finalizer. */
async function plantSecrets(admin: KubeClient): Promise<void> {
  const core = (resource: string, namespace?: string) => ({ group: "", version: "v1", resource, namespace });
  await admin.create(core("namespaces"), { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  const now = Date.now();
  const [caKey, leafKey, otherKey] = await Promise.all([
    generateKey("ecdsa-p256"),
    generateKey("ecdsa-p256"),
    generateKey("ecdsa-p256"),
  ]);
  const caPem = await createCertificate({
    subject: { cn: "e2e-ca" },
    keyUsages: ["digital signature", "cert sign"],
    extKeyUsages: [],
    isCA: true,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    publicKey: caKey.privateKey,
  });
  const leaf = (notAfter: number) =>
    createCertificate({
      subject: { cn: "web.example.com" },
      sans: { dns: ["web.example.com"] },
      keyUsages: ["digital signature"],
      extKeyUsages: ["server auth"],
      isCA: false,
      notBefore: new Date(now - DAY),
      notAfter: new Date(notAfter),
      publicKey: leafKey.publicKey,
      signer: { certPem: caPem, key: caKey.privateKey },
    });
  const good = await leaf(now + 365 * DAY);
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const tls = (name: string, crt: string, key: string) =>
    admin.create(core("secrets", NS), {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { name },
      data: { "tls.crt": b64(crt), "tls.key": b64(key) },
    });
  await tls("chain", `${caPem}${good}`, leafKey.privateKeyPem);
  await tls("expiring", await leaf(now + 10 * DAY), leafKey.privateKeyPem);
  await tls("wrong-key", good, otherKey.privateKeyPem);
  await tls(
    "bad-pem",
    "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
    leafKey.privateKeyPem,
  );
  await admin.create(core("secrets", NS), {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: { name: "opaque-ca" },
    data: { "ca.pem": b64(caPem), password: b64("not a certificate") },
  });
  await admin.create(core("secrets", "kube-system"), {
    apiVersion: "v1",
    kind: "Secret",
    type: "bootstrap.kubernetes.io/token",
    metadata: { name: "bootstrap-token-0ld0ld", namespace: "kube-system", finalizers: [HOLD] },
    stringData: {
      "token-id": "0ld0ld",
      "token-secret": "deadbeefdeadbeef",
      expiration: new Date(now - 2 * DAY).toISOString().replace(/\.\d+Z$/, "Z"),
      "usage-bootstrap-authentication": "true",
    },
  });
}

/** A webhook whose caBundle expired, and metrics-server's APIService with no service behind it (S4). */
async function plantAggregation(admin: KubeClient): Promise<void> {
  const key = await generateKey("ecdsa-p256");
  const expiredCa = await createCertificate({
    subject: { cn: "webhook-ca" },
    keyUsages: ["digital signature", "cert sign"],
    extKeyUsages: [],
    isCA: true,
    notBefore: new Date(Date.now() - 400 * DAY),
    notAfter: new Date(Date.now() - DAY),
    publicKey: key.privateKey,
  });
  const caBundle = Buffer.from(expiredCa).toString("base64");
  await admin.create(
    { group: "admissionregistration.k8s.io", version: "v1", resource: "validatingwebhookconfigurations" },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "e2e-policy" },
      webhooks: [
        {
          name: "check.e2e.example.com",
          clientConfig: { service: { namespace: NS, name: "policy" }, caBundle },
          rules: [
            {
              apiGroups: ["e2e.example.com"],
              apiVersions: ["v1"],
              operations: ["CREATE"],
              resources: ["things"],
            },
          ],
          sideEffects: "None",
          admissionReviewVersions: ["v1"],
          failurePolicy: "Ignore",
        },
      ],
    },
  );
  await admin.create(
    { group: "apiregistration.k8s.io", version: "v1", resource: "apiservices" },
    {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: "v1beta1.metrics.k8s.io" },
      spec: {
        group: "metrics.k8s.io",
        version: "v1beta1",
        service: { namespace: "kube-system", name: "metrics-server" },
        caBundle,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    },
  );
}

const HELD_TOKEN = {
  group: "",
  version: "v1",
  resource: "secrets",
  namespace: "kube-system",
  name: "bootstrap-token-0ld0ld",
};

/** Lets the token cleaner finish deleting the expired token. */
async function releaseHold(admin: KubeClient): Promise<void> {
  const secret = await admin.get(HELD_TOKEN);
  await admin.replace(HELD_TOKEN, { ...secret, metadata: { ...secret.metadata, finalizers: [] } });
}
