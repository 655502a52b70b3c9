import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BinaryCluster, startBinaryCluster } from "../env/binary-cluster.js";
import { cfsslBin } from "../env/cfssl.js";
import { kubectlPlugin } from "./plugins.js";

const run = promisify(execFile);

// kubectl certs on binary installs (cfssl PKI, systemd units, no kubeadm, no mirror pods), on the
// node, through the real kubectl: one healthy cluster, and one with the operators' own mistakes
// planted (S6's service IP, an etcd certificate without a member's address, S5's
// expired kubelet client certificate, a kubelet client certificate from a CA the kubelets do not
// trust).

interface Use {
  component: string;
  setting: string;
  role: string;
  peer?: string;
  unit?: string;
}
interface Row {
  source: string;
  location: string;
  subject: string;
  notAfter?: string;
  serial?: string;
  status: string;
  uses?: Use[];
}
interface Finding {
  code: string;
  severity: string;
  message: string;
  subject: Record<string, string>;
  evidence?: Record<string, unknown>;
  next?: string;
}
interface Report {
  sources: string[];
  certificates: Row[];
  findings: Finding[];
  warnings: { source: string; message: string }[];
}

async function expiry(c: BinaryCluster, extra: string[] = []): Promise<{ code: number; report: Report }> {
  const r = await kubectlPlugin([
    "certs",
    "expiry",
    "--kubeconfig",
    c.adminKubeconfig,
    "-o",
    "json",
    ...extra,
  ]);
  if (r.stdout === "") throw new Error(`certs expiry printed nothing (exit ${r.code}): ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const uses = (r: Row | undefined) =>
  (r?.uses ?? []).map((u) => `${u.component} ${u.setting} ${u.role}`).sort();

describe("kubectl certs on a healthy binary install", () => {
  let c: BinaryCluster;
  let code: number;
  let report: Report;
  beforeAll(async () => {
    c = await startBinaryCluster();
    ({ code, report } = await expiry(c));
  }, 240_000);
  afterAll(async () => {
    await c?.stop();
  });

  it("finds no warning and no critical, and exits 0", () => {
    expect(report.findings.filter((f) => f.severity === "critical" || f.severity === "warning")).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(code).toBe(0);
    expect(report.sources).toContain("node");
  });

  it("lists every certificate the processes use, with each setting that names it and its role", () => {
    const node = report.certificates.filter((r) => r.source === "node");
    const at = (location: string) => node.find((r) => r.location === location);
    expect(uses(at("/etc/kubernetes/cert/kubernetes.pem"))).toEqual([
      "kube-apiserver --etcd-certfile client",
      "kube-apiserver --kubelet-client-certificate client",
      "kube-apiserver --tls-cert-file serving",
    ]);
    expect(uses(at("/etc/kubernetes/cert/ca.pem"))).toEqual([
      "kube-apiserver --client-ca-file ca",
      "kube-apiserver --etcd-cafile ca",
      "kube-controller-manager --client-ca-file ca",
      "kube-controller-manager --cluster-signing-cert-file signer",
      "kube-controller-manager --root-ca-file ca",
      "kube-scheduler --client-ca-file ca",
      "kubelet config authentication.x509.clientCAFile ca",
    ]);
    expect(uses(at("/etc/kubernetes/cert/kubelet-client-current.pem"))).toEqual([
      "kubelet --cert-dir client",
      "kubelet --kubeconfig client",
    ]);
    expect(uses(at("/etc/kubernetes/cert/kubelet.pem"))).toEqual(["kubelet config tlsCertFile serving"]);
    expect(uses(at("/etc/kubernetes/cert/proxy-client.pem"))).toEqual([
      "kube-apiserver --proxy-client-cert-file client",
    ]);
    expect(uses(at("/etc/kubernetes/kube-scheduler.kubeconfig"))).toEqual([
      "kube-scheduler --kubeconfig client",
    ]);
    // kube-proxy's kubeconfig comes from its --config file, its certificate embedded as the guides make it.
    expect(uses(at("/etc/kubernetes/kube-proxy.kubeconfig"))).toEqual([
      "kube-proxy config clientConnection.kubeconfig client",
    ]);
    // Three etcd members, one etcd.pem each (their own nodes' files): etcd's settings come from
    // the unit's flags.
    const etcd = node.filter((r) => r.location.startsWith("/etc/etcd/ssl/etcd.pem"));
    expect(etcd).toHaveLength(3);
    for (const r of etcd) expect(uses(r)).toEqual(["etcd --cert-file serving", "etcd --peer-cert-file peer"]);
    expect(at("/etc/kubernetes/cert/kubernetes.pem")?.uses?.[0]?.unit).toBe("kube-apiserver.service");
  });

  it("says which processes it read, and how each runs", () => {
    const f = report.findings.find((x) => x.code === "NODE_COMPONENTS");
    const listed = (f?.evidence?.components ?? []) as string[];
    expect(listed.map((l) => l.replace(/pid \d+/, "pid N")).sort()).toEqual([
      "etcd (pid N, etcd.service)",
      "etcd (pid N, etcd.service)",
      "etcd (pid N, etcd.service)",
      "kube-apiserver (pid N, kube-apiserver.service)",
      "kube-controller-manager (pid N, kube-controller-manager.service)",
      "kube-proxy (pid N, kube-proxy.service)",
      "kube-scheduler (pid N, kube-scheduler.service)",
      "kubelet (pid N, kubelet.service)",
    ]);
    expect(listed).toContain(
      `kube-apiserver (pid ${c.processes["kube-apiserver"]?.child.pid}, kube-apiserver.service)`,
    );
  });

  it("the trust it found is real: the API server reaches the kubelet with its client certificate", async () => {
    const r = await c.kubectl(["get", "--raw", `/api/v1/nodes/${c.nodes[0]?.name}/proxy/healthz`]);
    expect(r).toMatchObject({ code: 0, stdout: "ok" });
  });

  it("agrees with cfssl certinfo on the dates and serial of the files it read", async () => {
    const cfssl = path.join(await cfsslBin(), "cfssl");
    const m1 = c.nodes[0];
    if (!m1) throw new Error("no node");
    for (const name of ["kubernetes", "kubelet", "kube-scheduler"]) {
      const { stdout } = await run(cfssl, [
        "certinfo",
        "-cert",
        c.file(m1, `/etc/kubernetes/cert/${name}.pem`),
      ]);
      const info = JSON.parse(stdout) as { serial_number: string; not_after: string };
      const row = report.certificates.find(
        (r) => r.source === "node" && r.location === `/etc/kubernetes/cert/${name}.pem`,
      );
      expect(row?.notAfter, name).toBe(new Date(info.not_after).toISOString());
      expect(BigInt(`0x${row?.serial}`), name).toBe(BigInt(info.serial_number));
    }
  });
});

describe("kubectl certs on a binary install with the operators' mistakes", () => {
  let c: BinaryCluster;
  let code: number;
  let report: Report;
  beforeAll(async () => {
    c = await startBinaryCluster({
      serviceIpSanMistake: true,
      etcdSanMissingMember: true,
      expiredKubeletClient: true,
    });
    ({ code, report } = await expiry(c));
  }, 240_000);
  afterAll(async () => {
    await c?.stop();
  });
  const of = (code: string) => report.findings.filter((f) => f.code === code);

  it("exits 1: there are criticals", () => {
    expect(code).toBe(1);
  });

  it("S6: the API server certificate does not cover the kubernetes Service's 10.64.0.1", () => {
    const f = of("SAN_MISSING").find((x) => x.subject.file === "/etc/kubernetes/cert/kubernetes.pem");
    expect(f).toMatchObject({
      severity: "critical",
      message:
        "/etc/kubernetes/cert/kubernetes.pem (kube-apiserver --tls-cert-file) does not cover 10.64.0.1 (--service-cluster-ip-range): clients that connect there fail to verify it",
    });
    expect(f?.next).toMatch(
      /^add 10\.64\.0\.1 to "hosts" in kubernetes-csr\.json, reissue it from its CA .*cfssljson -bare kubernetes\), .*then systemctl restart kube-apiserver\.service$/,
    );
  });

  it("etcd.pem lacks the third member's address, for its clients and its peers", () => {
    const m3 = c.etcd[2];
    if (!m3) throw new Error("no member");
    const ip = m3.node.ip;
    const location = `/etc/etcd/ssl/etcd.pem (etcd pid ${m3.process?.child.pid})`;
    expect(
      of("SAN_MISSING")
        .filter((f) => f.subject.file === location)
        .map((f) => [f.severity, f.message]),
    ).toEqual([
      [
        "critical",
        `${location} (etcd --cert-file) does not cover ${ip} (--advertise-client-urls): clients that connect there fail to verify it`,
      ],
      [
        "critical",
        `${location} (etcd --peer-cert-file) does not cover ${ip} (--initial-advertise-peer-urls): clients that connect there fail to verify it`,
      ],
    ]);
    // The members whose addresses it covers are fine.
    expect(of("SAN_MISSING").filter((f) => f.subject.file?.startsWith("/etc/etcd/"))).toHaveLength(2);
  });

  it("S5: the kubelet's client certificate has expired, with the kubelet's way out", () => {
    const row = report.certificates.find(
      (r) => r.source === "node" && r.location === "/etc/kubernetes/cert/kubelet-client-current.pem",
    );
    expect(row?.status).toBe("EXPIRED");
    const f = of("CERT_EXPIRED").find(
      (x) => x.subject.file === "/etc/kubernetes/cert/kubelet-client-current.pem",
    );
    expect(f?.severity).toBe("critical");
    expect(f?.next).toMatch(/^the kubelet renews its own certificates when rotateCertificates is on/);
  });

  it("no trust mismatch: the kubelet client certificate here is from the right CA", () => {
    expect(of("TRUST_MISMATCH")).toEqual([]);
  });
});

describe("kubectl certs when the API server's kubelet client certificate is from another CA", () => {
  let c: BinaryCluster;
  let report: Report;
  beforeAll(async () => {
    c = await startBinaryCluster({ kubeletClientFromOtherCa: true });
    ({ report } = await expiry(c));
  }, 240_000);
  afterAll(async () => {
    await c?.stop();
  });

  it("says the kubelet does not trust it", () => {
    expect(
      report.findings.filter((f) => f.code === "TRUST_MISMATCH").map((f) => [f.severity, f.message]),
    ).toEqual([
      [
        "critical",
        '/etc/kubernetes/cert/proxy-client.pem (kube-apiserver --kubelet-client-certificate) is issued by "CN=kubernetes-front-proxy-ca,OU=kubemend,O=k8s,L=BeiJing,ST=BeiJing,C=CN", which /etc/kubernetes/cert/ca.pem (kubelet config authentication.x509.clientCAFile) does not hold: kubelet refuses it',
      ],
    ]);
  });

  it("and the kubelet does refuse it: the API server's proxy to the kubelet gets 401", async () => {
    const r = await c.kubectl(["get", "--raw", `/api/v1/nodes/${c.nodes[0]?.name}/proxy/healthz`]);
    // kubectl's words for a 401: the kubelet's, passed through (the same admin reaches the API).
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/the server has asked for the client to provide credentials/);
    expect((await c.kubectl(["get", "nodes"])).code).toBe(0);
  });
});
