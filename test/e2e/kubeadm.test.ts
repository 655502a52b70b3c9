import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import tls from "node:tls";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startCluster, type TestCluster } from "../env/cluster.js";
import { manifestCommand } from "../env/kubeadm.js";
import { type Kubelet, startKubelet } from "../env/kubelet.js";
import { httpsGet } from "../env/process.js";
import { kubectlPlugin } from "./plugins.js";

// The cluster as the real kubeadm makes it and the real kubelet runs it: kubeadm is the peer of
// `kubectl certs` on its own PKI, the control-plane kubelet turns kubeadm's manifests into mirror
// pods, and the workers' kubelets TLS-bootstrap and file their own serving CSRs (S2, S5).

interface Finding {
  code: string;
  severity: string;
  subject: Record<string, string>;
  message: string;
  evidence?: Record<string, unknown>;
  next?: string;
}
interface Report {
  certificates: {
    source: string;
    location: string;
    subject: string;
    notAfter?: string;
    residualMs?: number;
    status: string;
    /** The node source's: each setting that names the file. */
    uses?: { component: string; setting: string; role: string }[];
  }[];
  findings: Finding[];
}

/** `kubeadm certs check-expiration -o json` (output.kubeadm.k8s.io CertificateExpirationInfo). */
interface ExpirationInfo {
  certificates: { name: string; expirationDate: string; residualTime: number; missing?: boolean }[];
  certificateAuthorities: { name: string; expirationDate: string; residualTime: number; missing?: boolean }[];
}

describe("a kubeadm cluster with real kubelets", () => {
  let cluster: TestCluster;
  let admin: KubeClient;
  let controlPlane: Kubelet;
  let bootstrapped: Kubelet;
  let legacy: Kubelet;

  const certs = (args: string[]) =>
    kubectlPlugin(["certs", ...args, "--kubeconfig", cluster.adminKubeconfig]);
  const report = (stdout: string) => JSON.parse(stdout) as Report;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startCluster();
    const clusterMs = Date.now() - started;
    admin = await cluster.admin();
    [controlPlane, bootstrapped, legacy] = await Promise.all([
      startKubelet(cluster, { index: 1, serving: "serverTLSBootstrap" }),
      startKubelet(cluster, { index: 2, serving: "serverTLSBootstrap" }),
      startKubelet(cluster, { index: 3, serving: "legacy" }),
    ]);
    const kubelets = [controlPlane, bootstrapped, legacy];
    console.log(
      `made by kubeadm ${cluster.kubeadm.version}: pki/, *.conf and manifests/ under ${cluster.root}; control plane up in ${(clusterMs / 1000).toFixed(1)} s, 3 real kubelets Ready ${((Date.now() - started - clusterMs) / 1000).toFixed(1)} s later`,
    );
    for (const k of kubelets)
      console.log(
        `real kubelet ${k.name} (pid ${k.process().child.pid}): ${rssMb(k.process().child.pid)} MB RSS`,
      );
  });
  afterAll(async () => {
    await Promise.all([controlPlane, bootstrapped, legacy].map((k) => k?.stop()));
    await cluster?.stop();
  });

  it("runs each component with its manifest's command line, and the control-plane kubelet mirrors kubeadm's static pods", async () => {
    for (const component of [
      "etcd",
      "kube-apiserver",
      "kube-controller-manager",
      "kube-scheduler",
    ] as const) {
      const command = manifestCommand(cluster.root, component);
      const pid = cluster.processes[component]?.child.pid;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
      expect(cmdline.slice(1), component).toEqual(command.slice(1));
      const mirror = await vi.waitFor(
        async () => {
          const pod = await admin.get<{
            metadata: { annotations?: Record<string, string> };
            spec: { containers: { command: string[] }[] };
          }>({
            group: "",
            version: "v1",
            resource: "pods",
            namespace: "kube-system",
            name: `${component}-${cluster.nodeName}`,
          });
          return pod;
        },
        { timeout: 60_000, interval: 500 },
      );
      expect(mirror.metadata.annotations?.["kubernetes.io/config.mirror"], component).toBeDefined();
      expect(mirror.spec.containers[0]?.command, component).toEqual(command);
    }
  });

  it("the node source names each control-plane process once, as the static pod its manifest starts", async () => {
    const result = await certs(["expiry", "--source", "node", "-o", "json"]);
    const listed = report(result.stdout).findings.find((f) => f.code === "NODE_COMPONENTS")?.evidence
      ?.components as string[];
    expect(listed.map((c) => c.replace(/pid \d+/, "pid N")).sort()).toEqual(
      (["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const).map(
        (c) => `${c} (pid N, static pod /etc/kubernetes/manifests/${c}.yaml)`,
      ),
    );
  });

  it("kubeadm certs check-expiration and kubectl certs expiry read the same certificates, to the second", async () => {
    const peer = JSON.parse(
      await cluster.kubeadm.run(["certs", "check-expiration", "-o", "json"]),
    ) as ExpirationInfo;
    const result = await expiryOnNode(cluster);
    const ours = report(result.stdout);
    // kubeadm names a certificate as `kubeadm certs renew` does; where each lives is kubeadm's layout.
    const FILES: Record<string, string> = {
      ca: "ca.crt",
      "front-proxy-ca": "front-proxy-ca.crt",
      "etcd-ca": "etcd/ca.crt",
      apiserver: "apiserver.crt",
      "apiserver-kubelet-client": "apiserver-kubelet-client.crt",
      "apiserver-etcd-client": "apiserver-etcd-client.crt",
      "front-proxy-client": "front-proxy-client.crt",
      "etcd-server": "etcd/server.crt",
      "etcd-peer": "etcd/peer.crt",
      "etcd-healthcheck-client": "etcd/healthcheck-client.crt",
    };
    const location = (name: string) =>
      name.endsWith(".conf") ? `${cluster.root}/${name}` : `${cluster.pki.pkiDir}/${FILES[name]}`;
    const rows = [...peer.certificates, ...peer.certificateAuthorities].filter((c) => !c.missing);
    expect(rows.map((c) => c.name).sort()).toEqual(
      [
        ...Object.keys(FILES),
        "admin.conf",
        "super-admin.conf",
        "controller-manager.conf",
        "scheduler.conf",
      ].sort(),
    );
    for (const cert of rows) {
      const row = ours.certificates.find((r) => r.source === "pki" && r.location === location(cert.name));
      expect(row, cert.name).toBeDefined();
      expect(row?.notAfter, cert.name).toBe(new Date(cert.expirationDate).toISOString());
      // kubeadm's residual time is in seconds; its table prints whole days, as ours does.
      const residualMs = row?.residualMs ?? Number.NaN;
      expect(Math.abs(residualMs / 1000 - cert.residualTime), cert.name).toBeLessThan(120);
      expect(Math.floor(residualMs / 86_400_000), cert.name).toBe(Math.floor(cert.residualTime / 86_400));
    }
    // Every certificate kubemend found under the PKI is one kubeadm knows.
    const known = new Set(rows.map((c) => location(c.name)));
    expect(
      ours.certificates.filter((r) => r.source === "pki" && !known.has(r.location)).map((r) => r.location),
    ).toEqual([]);
    // A freshly made kubeadm PKI has nothing wrong with it.
    expect(ours.findings).toEqual([]);
    expect(result.code).toBe(0);
  });

  it("the real kubelet answers an anonymous request with 401 and the API server's kubelet client with 200", async () => {
    const url = `https://${legacy.ip}:10250/healthz`;
    const anonymous = await httpsGet(url, { rejectUnauthorized: false });
    expect(anonymous.status).toBe(401);
    const client = cluster.pki.path("apiserver-kubelet-client");
    const authenticated = await httpsGet(url, {
      rejectUnauthorized: false,
      cert: readFileSync(client.cert),
      key: readFileSync(client.key),
    });
    expect(authenticated).toEqual({ status: 200, body: "ok" });
  });

  it("S2/S5: approve-serving --all approves the serving CSRs the real kubelets filed, and they then serve them", async () => {
    const pending = await vi.waitFor(
      async () => {
        const list = await cluster.kubectl(["get", "csr", "-o", "json"]);
        const items = (
          JSON.parse(list.stdout) as {
            items: { metadata: { name: string }; spec: { signerName: string; username: string } }[];
          }
        ).items.filter((c) => c.spec.signerName === "kubernetes.io/kubelet-serving");
        const users = items.map((c) => c.spec.username).sort();
        expect(users).toEqual(
          [`system:node:${bootstrapped.name}`, `system:node:${controlPlane.name}`].sort(),
        );
        return items;
      },
      { timeout: 60_000, interval: 500 },
    );
    const result = await kubectlPlugin([
      "csr",
      "approve-serving",
      "--all",
      "-o",
      "json",
      "--kubeconfig",
      cluster.adminKubeconfig,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      items: { name: string; verdict: string; failures?: unknown[] }[];
    };
    for (const csr of pending) {
      const item = plan.items.find((i) => i.name === csr.metadata.name);
      expect(item?.verdict, JSON.stringify(item)).toMatch(/^approve/i);
    }
    // The kubelet picks its certificate up and serves it: a handshake that verifies the node IP.
    for (const kubelet of [controlPlane, bootstrapped]) {
      const peer = await vi.waitFor(
        async () => {
          const answer = await handshake(kubelet.ip, cluster.pki.ca.certPem);
          if ("error" in answer) throw new Error(answer.error);
          return answer;
        },
        { timeout: 60_000, interval: 500 },
      );
      expect(peer.subject).toBe(`O=system:nodes, CN=system:node:${kubelet.name}`);
      expect(peer.subjectaltname).toContain(`IP Address:${kubelet.ip}`);
    }
  });

  it("S2: certs expiry --source nodes finds the real legacy kubelet self-signed without an IP SAN, and nothing on the others", async () => {
    const result = await certs(["expiry", "--source", "nodes", "-o", "json"]);
    const findings = report(result.stdout).findings;
    const codes = (kubelet: Kubelet) =>
      findings
        .filter((f) => f.subject.name === kubelet.name)
        .map((f) => f.code)
        .sort();
    expect(codes(legacy)).toEqual(["KUBELET_NO_IP_SAN", "KUBELET_SELF_SIGNED"]);
    const noIp = findings.find((f) => f.subject.name === legacy.name && f.code === "KUBELET_NO_IP_SAN");
    expect(noIp?.evidence?.missing).toEqual([legacy.ip]);
    expect(codes(controlPlane)).toEqual([]);
    expect(codes(bootstrapped)).toEqual([]);
  });

  // S4: the operator renews everything with kubeadm while the control plane runs. What the
  // real 1.37 components do differs from the notes (older releases): etcd loads its pair on every
  // handshake and kube-apiserver watches its serving files, so both serve the renewed certificates
  // by themselves; kubeadm does not renew kubelet certificates. What stays old is what the
  // processes hold in memory: the client certificates of controller-manager.conf and scheduler.conf.
  it("S4: after kubeadm certs renew all, etcd and kube-apiserver serve the renewed files by themselves, and kubemend reports no drift once they do", async () => {
    const before = {
      apiserver: servedSerial(cluster.controlPlaneIp, 6443),
      etcd: servedSerial(cluster.controlPlaneIp, 2379, cluster.pki.path("etcd/healthcheck-client")),
    };
    const renewedAt = Date.now();
    await cluster.kubeadm.run(["certs", "renew", "all"]);
    const disk = {
      apiserver: fileSerial(cluster.pki.path("apiserver").cert),
      etcd: fileSerial(cluster.pki.path("etcd/server").cert),
    };
    expect(disk.apiserver).not.toBe(before.apiserver);
    expect(disk.etcd).not.toBe(before.etcd);
    // etcd reads its pair again for every new connection.
    expect(servedSerial(cluster.controlPlaneIp, 2379, cluster.pki.path("etcd/healthcheck-client"))).toBe(
      disk.etcd,
    );
    await vi.waitFor(() => expect(servedSerial(cluster.controlPlaneIp, 6443)).toBe(disk.apiserver), {
      timeout: 90_000,
      interval: 250,
    });
    console.log(
      `kube-apiserver served the renewed apiserver.crt ${Date.now() - renewedAt} ms after kubeadm certs renew all`,
    );
    const result = await expiryOnNode(cluster, "pki,served");
    expect(report(result.stdout).findings).toEqual([]);
    // The kubelet's way of restarting a static pod (the manifest moved out and back) brings the
    // controller-manager and scheduler onto the renewed kubeconfigs; the cluster stays healthy.
    await cluster.restart("kube-controller-manager");
    await cluster.restart("kube-scheduler");
    const after = await expiryOnNode(cluster, "pki,served");
    expect(report(after.stdout).findings).toEqual([]);
    expect(after.code).toBe(0);
  });
});

function rssMb(pid: number | undefined): string {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return line ? (Number(line[1]) / 1024).toFixed(0) : "?";
}

// A second PKI made by kubeadm itself with a short certificateValidityPeriod (480h, 20 days): the
// leaves are inside the 30-day warning window and outside the 7-day critical one, the CAs are not.
describe("a kubeadm PKI with certificateValidityPeriod 480h", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ certificateValidityPeriod: "480h", controllers: false });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("kubeadm check-expiration and certs expiry agree, and every leaf is CERT_EXPIRING warning", async () => {
    const peer = JSON.parse(
      await cluster.kubeadm.run(["certs", "check-expiration", "-o", "json"]),
    ) as ExpirationInfo;
    const result = await expiryOnNode(cluster);
    const ours = JSON.parse(result.stdout) as Report;
    const leaves = peer.certificates.filter((c) => !c.missing);
    expect(leaves).toHaveLength(11);
    for (const cert of leaves) {
      expect(Math.floor(cert.residualTime / 86_400), cert.name).toBe(19);
      const file = cert.name.endsWith(".conf")
        ? `${cluster.root}/${cert.name}`
        : `${cluster.pki.pkiDir}/${cert.name.replace(/^etcd-/, "etcd/")}.crt`;
      const row = ours.certificates.find((r) => r.source === "pki" && r.location === file);
      expect(row?.notAfter, cert.name).toBe(new Date(cert.expirationDate).toISOString());
    }
    // The files, and the certificate the local etcd serves (the same as etcd/server.crt).
    const findings = ours.findings.map((f) => [f.code, f.severity, f.subject.file ?? f.subject.endpoint]);
    expect(findings.every(([code, severity]) => code === "CERT_EXPIRING" && severity === "warning")).toBe(
      true,
    );
    expect(findings.map(([, , file]) => file).sort()).toEqual(
      leaves
        .map((c) =>
          c.name.endsWith(".conf")
            ? `${cluster.root}/${c.name}`
            : `${cluster.pki.pkiDir}/${c.name.replace(/^etcd-/, "etcd/")}.crt`,
        )
        .concat(`${cluster.controlPlaneIp}:2379`)
        .sort(),
    );
    // Warnings do not reach the default --fail-on critical.
    expect(result.code).toBe(0);
  });

  it("with the API server down (crash loop), the node source reads it from its static pod manifest", async () => {
    await cluster.down("kube-apiserver");
    const result = await expiryOnNode(cluster, "node");
    const ours = JSON.parse(result.stdout) as Report;
    const components = ours.findings.find((f) => f.code === "NODE_COMPONENTS")?.evidence
      ?.components as string[];
    expect(components.map((c) => c.replace(/pid \d+/, "pid N"))).toEqual([
      "etcd (pid N, static pod /etc/kubernetes/manifests/etcd.yaml)",
      "kube-apiserver (not running, static pod /etc/kubernetes/manifests/kube-apiserver.yaml)",
      // controllers: false, so kubeadm's manifests for these are there and nothing runs them.
      "kube-controller-manager (not running, static pod /etc/kubernetes/manifests/kube-controller-manager.yaml)",
      "kube-scheduler (not running, static pod /etc/kubernetes/manifests/kube-scheduler.yaml)",
    ]);
    // Read through the manifest's hostPath volumes (the env's certificatesDir is the cluster's own
    // pki/): the same certificate kubeadm reports.
    const peer = JSON.parse(
      await cluster.kubeadm.run(["certs", "check-expiration", "-o", "json"]),
    ) as ExpirationInfo;
    const apiserver = ours.certificates.find((r) => r.location === `${cluster.pki.pkiDir}/apiserver.crt`);
    expect(apiserver?.uses?.map((u) => `${u.component} ${u.setting} ${u.role}`)).toEqual([
      "kube-apiserver --tls-cert-file serving",
    ]);
    expect(apiserver?.notAfter).toBe(
      new Date(peer.certificates.find((c) => c.name === "apiserver")?.expirationDate ?? 0).toISOString(),
    );
    const etcdClient = ours.certificates.find(
      (r) => r.location === `${cluster.pki.pkiDir}/apiserver-etcd-client.crt`,
    );
    expect(etcdClient?.uses?.map((u) => u.setting)).toEqual(["--etcd-certfile"]);
  });
});

/** `kubectl certs expiry` on a cluster's kubeadm PKI, on the node: --source pki (and more). */
function expiryOnNode(cluster: TestCluster, sources = "pki") {
  return kubectlPlugin([
    "certs",
    "expiry",
    "--source",
    sources,
    "--pki-dir",
    cluster.pki.pkiDir,
    "--kubeconfig-dir",
    cluster.root,
    "-o",
    "json",
    "--kubeconfig",
    cluster.adminKubeconfig,
  ]);
}

/** The serial a server presents now, as openssl s_client reads it. */
function servedSerial(ip: string, port: number, client?: { cert: string; key: string }): string {
  const auth = client ? ["-cert", client.cert, "-key", client.key] : [];
  const chain = execFileSync("openssl", ["s_client", "-connect", `${ip}:${port}`, ...auth], {
    encoding: "utf8",
    input: "",
    stdio: ["pipe", "pipe", "pipe"],
  });
  return fileSerialOf(chain);
}

function fileSerial(file: string): string {
  return fileSerialOf(readFileSync(file, "utf8"));
}

function fileSerialOf(pem: string): string {
  return execFileSync("openssl", ["x509", "-noout", "-serial"], { encoding: "utf8", input: pem }).trim();
}

/** A TLS handshake with the kubelet at ip:10250 that verifies the certificate for that IP. */
function handshake(
  ip: string,
  ca: string,
): Promise<{ subject: string; subjectaltname: string } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: ip, port: 10250, ca, servername: undefined, timeout: 5_000 }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.destroy();
      resolve({
        subject: cert?.subject.split("\n").join(", ") ?? "",
        subjectaltname: cert?.subjectAltName ?? "",
      });
    });
    socket.once("error", (err) => resolve({ error: err.message }));
    socket.once("timeout", () => {
      socket.destroy();
      resolve({ error: "timeout" });
    });
  });
}
