import { beforeAll, describe, expect, it } from "vitest";
import type { NodeServing } from "../model.js";
import { type Issued, issue } from "../testing.js";
import { checkKubelets } from "./kubelet.js";

const addresses = [
  { type: "InternalIP", address: "10.2.1.152" },
  { type: "Hostname", address: "worker-2" },
];

describe("checkKubelets", () => {
  let clusterCa: Issued;
  let legacy: Issued[];
  let issued: Issued;
  beforeAll(async () => {
    clusterCa = await issue({ cn: "kubernetes", ca: true, to: 3650 });
    // client-go's GenerateSelfSignedCertKey: a throwaway CA and a leaf for the hostname only.
    const ownCa = await issue({ cn: "worker-2-ca@1700000000", ca: true });
    legacy = [await issue({ cn: "worker-2@1700000000", sans: { dns: ["worker-2"] }, signer: ownCa }), ownCa];
    issued = await issue({
      cn: "system:node:worker-2",
      o: ["system:nodes"],
      sans: { dns: ["worker-2"], ip: ["10.2.1.152"] },
      signer: clusterCa,
    });
  });

  const node = (over: Partial<NodeServing>): NodeServing => ({
    name: "worker-2",
    addresses,
    endpoint: "10.2.1.152:10250",
    pendingCsrs: [],
    ...over,
  });

  it("S2: the legacy certificate is self-signed and lacks the node's IP", () => {
    const findings = checkKubelets([node({ chain: legacy.map((c) => c.info) })], [clusterCa.info]);
    expect(findings.map((f) => f.code)).toEqual(["KUBELET_SELF_SIGNED", "KUBELET_NO_IP_SAN"]);
    expect(findings[1]?.evidence?.missing).toEqual(["10.2.1.152"]);
    expect(findings[1]?.message).toContain('"x509: cannot validate certificate for 10.2.1.152"');
    expect(findings[0]?.next).toContain("serverTLSBootstrap: true");
  });

  it("accepts a certificate from the cluster CA that covers every address", () => {
    expect(checkKubelets([node({ chain: [issued.info] })], [clusterCa.info])).toEqual([]);
  });

  it("names each Pending serving CSR, and reports the unanswered handshake as info", () => {
    const findings = checkKubelets(
      [
        node({
          chain: undefined,
          error: "the server ended the TLS handshake (alert: handshake failure)",
          pendingCsrs: [{ name: "csr-jbphr", created: "2026-06-01T00:00:00Z" }],
        }),
      ],
      [clusterCa.info],
    );
    expect(findings.map((f) => [f.code, f.severity, f.evidence?.csr])).toEqual([
      ["KUBELET_SERVING_CSR_PENDING", "warning", "csr-jbphr"],
      ["KUBELET_UNREACHABLE", "info", undefined],
    ]);
    expect(findings[0]?.next).toContain("kubectl certificate approve csr-jbphr");
  });

  it("reports a missing hostname as KUBELET_NAME_SAN_MISSING", async () => {
    const ipOnly = await issue({
      cn: "system:node:worker-2",
      sans: { ip: ["10.2.1.152"] },
      signer: clusterCa,
    });
    const findings = checkKubelets([node({ chain: [ipOnly.info] })], [clusterCa.info]);
    expect(findings.map((f) => [f.code, f.evidence?.missing])).toEqual([
      ["KUBELET_NAME_SAN_MISSING", ["worker-2"]],
    ]);
  });
});

describe("checkKubelets, findings in full", () => {
  let clusterCa: Issued;
  let ownCa: Issued;
  beforeAll(async () => {
    clusterCa = await issue({ cn: "kubernetes", ca: true, to: 3650 });
    ownCa = await issue({ cn: "worker-3-ca@1700000000", ca: true });
  });
  const base = {
    name: "worker-3",
    addresses: [
      { type: "InternalIP", address: "10.2.1.153" },
      { type: "ExternalIP", address: "203.0.113.9" },
      { type: "Hostname", address: "worker-3" },
      { type: "InternalDNS", address: "worker-3.internal" },
      { type: "InternalDNS", address: "worker-3.cluster.internal" },
      { type: "ExternalDNS", address: "worker-3.example.com" },
    ],
    endpoint: "10.2.1.153:10250",
    pendingCsrs: [],
  };
  const addressList = [
    "InternalIP=10.2.1.153",
    "ExternalIP=203.0.113.9",
    "Hostname=worker-3",
    "InternalDNS=worker-3.internal",
    "InternalDNS=worker-3.cluster.internal",
    "ExternalDNS=worker-3.example.com",
  ];
  const approve = "kubectl csr approve-serving";

  it("a self-signed certificate without IP SANs: each finding with every field", async () => {
    const self = await issue({ cn: "worker-3@1700000000", sans: { dns: ["worker-3"] } });
    const findings = checkKubelets([{ ...base, chain: [self.info] }], [clusterCa.info]);
    const certEvidence = {
      endpoint: "10.2.1.153:10250",
      addresses: addressList,
      subject: "CN=worker-3@1700000000",
      issuer: "CN=worker-3@1700000000",
      sans: ["worker-3"],
    };
    expect(findings).toEqual([
      {
        subject: { kind: "Node", name: "worker-3" },
        code: "KUBELET_SELF_SIGNED",
        severity: "warning",
        message:
          "the kubelet of worker-3 serves a self-signed certificate (CN=worker-3@1700000000, issuer CN=worker-3@1700000000): clients that verify it (metrics-server, kubectl logs) fail",
        evidence: certEvidence,
        next: `set serverTLSBootstrap: true in /var/lib/kubelet/config.yaml on worker-3, restart the kubelet (systemctl restart kubelet), then approve its kubelet-serving CSR: ${approve}`,
      },
      {
        subject: { kind: "Node", name: "worker-3" },
        code: "KUBELET_NO_IP_SAN",
        severity: "warning",
        message:
          'the kubelet certificate of worker-3 does not cover 10.2.1.153, 203.0.113.9 (it has no IP SANs at all): "x509: cannot validate certificate for 10.2.1.153"',
        evidence: { ...certEvidence, missing: ["10.2.1.153", "203.0.113.9"] },
        next: `let the kubelet request a certificate with its addresses: serverTLSBootstrap: true on worker-3, then ${approve}; do not turn verification off with --kubelet-insecure-tls`,
      },
      {
        subject: { kind: "Node", name: "worker-3" },
        code: "KUBELET_NAME_SAN_MISSING",
        severity: "warning",
        message:
          "the kubelet certificate of worker-3 does not cover worker-3.internal, worker-3.cluster.internal",
        evidence: { ...certEvidence, missing: ["worker-3.internal", "worker-3.cluster.internal"] },
        next: `serverTLSBootstrap: true on worker-3, then ${approve}`,
      },
    ]);
  });

  it("a certificate from the cluster CA that lacks one IP: no self-signed finding, no 'no IP SANs at all'", async () => {
    const partial = await issue({
      cn: "system:node:worker-3",
      sans: { dns: ["worker-3", "worker-3.internal", "worker-3.cluster.internal"], ip: ["10.2.1.153"] },
      signer: clusterCa,
    });
    const findings = checkKubelets([{ ...base, chain: [partial.info] }], [clusterCa.info]);
    expect(findings.map((f) => [f.code, f.message])).toEqual([
      [
        "KUBELET_NO_IP_SAN",
        'the kubelet certificate of worker-3 does not cover 203.0.113.9: "x509: cannot validate certificate for 203.0.113.9"',
      ],
    ]);
  });

  it("a chain that reaches a cluster CA counts as the cluster's, even when its top is self-signed", async () => {
    const root = await issue({ cn: "kubelet-root", ca: true });
    const intermediate = await issue({ cn: "kubelet-intermediate", ca: true, signer: root });
    const leaf = await issue({
      cn: "system:node:worker-3",
      sans: {
        dns: ["worker-3", "worker-3.internal", "worker-3.cluster.internal"],
        ip: ["10.2.1.153", "203.0.113.9"],
      },
      signer: intermediate,
    });
    const chain = [leaf.info, intermediate.info, root.info];
    expect(checkKubelets([{ ...base, chain }], [clusterCa.info, root.info])).toEqual([]);
    expect(checkKubelets([{ ...base, chain }], [intermediate.info])).toEqual([]);
    expect(checkKubelets([{ ...base, chain }], [clusterCa.info]).map((f) => f.code)).toEqual([
      "KUBELET_SELF_SIGNED",
    ]);
  });

  it("a self-signed certificate that is itself among the cluster CAs is the cluster's", async () => {
    const self = await issue({
      cn: "worker-3",
      ca: true,
      sans: {
        dns: ["worker-3", "worker-3.internal", "worker-3.cluster.internal"],
        ip: ["10.2.1.153", "203.0.113.9"],
      },
    });
    expect(checkKubelets([{ ...base, chain: [self.info] }], [clusterCa.info, self.info])).toEqual([]);
  });

  it("a certificate signed by an unknown CA that is not in the chain is not called self-signed", async () => {
    const leaf = await issue({
      cn: "system:node:worker-3",
      sans: {
        dns: ["worker-3", "worker-3.internal", "worker-3.cluster.internal"],
        ip: ["10.2.1.153", "203.0.113.9"],
      },
      signer: ownCa,
    });
    expect(checkKubelets([{ ...base, chain: [leaf.info] }], [clusterCa.info])).toEqual([]);
  });

  it("no handshake: KUBELET_UNREACHABLE in full, with a next step only when no CSR is pending", () => {
    const findings = checkKubelets(
      [
        { ...base, chain: [], error: "connect ECONNREFUSED 10.2.1.153:10250" },
        { ...base, name: "worker-4", endpoint: undefined, addresses: [] },
        {
          ...base,
          name: "worker-5",
          addresses: [],
          pendingCsrs: [{ name: "csr-aaaaa", created: "2026-06-01T00:00:00Z" }],
        },
      ],
      [clusterCa.info],
    );
    expect(findings).toEqual([
      {
        subject: { kind: "Node", name: "worker-3" },
        code: "KUBELET_UNREACHABLE",
        severity: "info",
        message:
          "no TLS handshake with the kubelet of worker-3 at 10.2.1.153:10250: connect ECONNREFUSED 10.2.1.153:10250",
        evidence: {
          endpoint: "10.2.1.153:10250",
          addresses: addressList,
          error: "connect ECONNREFUSED 10.2.1.153:10250",
        },
        next: "check that the kubelet runs and that port is reachable from here",
      },
      {
        subject: { kind: "Node", name: "worker-4" },
        code: "KUBELET_UNREACHABLE",
        severity: "info",
        message: "no TLS handshake with the kubelet of worker-4: no certificate",
        evidence: { endpoint: undefined, addresses: [], error: undefined },
        next: "check that the kubelet runs and that port is reachable from here",
      },
      {
        subject: { kind: "Node", name: "worker-5" },
        code: "KUBELET_SERVING_CSR_PENDING",
        severity: "warning",
        message:
          "kubelet-serving CSR csr-aaaaa of node worker-5 is Pending: the kubelet serves no certificate until it is approved",
        evidence: {
          endpoint: "10.2.1.153:10250",
          addresses: [],
          csr: "csr-aaaaa",
          created: "2026-06-01T00:00:00Z",
        },
        next: `check the CSR and approve it: ${approve} csr-aaaaa (or kubectl certificate approve csr-aaaaa)`,
      },
      {
        subject: { kind: "Node", name: "worker-5" },
        code: "KUBELET_UNREACHABLE",
        severity: "info",
        message: "no TLS handshake with the kubelet of worker-5 at 10.2.1.153:10250: no certificate",
        evidence: { endpoint: "10.2.1.153:10250", addresses: [], error: undefined },
      },
    ]);
  });
});
