import { beforeAll, describe, expect, it } from "vitest";
import { sameAddress } from "../commands/sans.js";
import { type Issued, issue } from "../testing.js";
import { addExpected, checkApiServerSans, type ExpectedAddress, expectedAddresses, hostOf } from "./sans.js";

describe("checkApiServerSans", () => {
  let apiserver: Issued;
  beforeAll(async () => {
    const ca = await issue({ cn: "kubernetes", ca: true });
    // S3's certificate: DNS:kubernetes, IP:10.2.1.151 only.
    apiserver = await issue({
      cn: "kube-apiserver",
      sans: { dns: ["kubernetes"], ip: ["10.2.1.151"] },
      signer: ca,
    });
  });

  it("S3: names exactly the addresses the served certificate lacks, and who expects them", () => {
    const expected: ExpectedAddress[] = [
      { address: "10.2.1.151", from: ["kubeconfig"] },
      { address: "kubernetes", from: ["in-cluster name"] },
      { address: "kubernetes.default.svc", from: ["in-cluster name"] },
      { address: "10.2.1.139", from: ["--address"] },
    ];
    const { rows, findings } = checkApiServerSans(expected, [
      { endpoints: ["10.2.1.151:6443", "10.2.1.139:6443"], cert: apiserver.info },
    ]);
    expect(rows.filter((r) => r.missingAt.length > 0).map((r) => r.address)).toEqual([
      "kubernetes.default.svc",
      "10.2.1.139",
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.code).toBe("SAN_MISSING");
    expect(findings[0]?.evidence?.missing).toEqual([
      { address: "kubernetes.default.svc", from: ["in-cluster name"] },
      { address: "10.2.1.139", from: ["--address"] },
    ]);
    expect(findings[0]?.next).toContain("apiServer.certSANs");
  });
});

describe("hostOf", () => {
  it.each([
    ["10.2.1.139", "10.2.1.139"],
    ["10.2.1.139:6443", "10.2.1.139"],
    ["https://lb.example.com:6443", "lb.example.com"],
    ["https://[fd00::1]:6443", "fd00::1"],
    ["[fd00::1]:6443", "fd00::1"],
    ["fd00::1", "fd00::1"],
    ["lb.example.com", "lb.example.com"],
  ])("%s → %s", (text, host) => expect(hostOf(text)).toBe(host));
});

describe("sameAddress", () => {
  it.each([
    ["::ffff:10.0.0.1", "10.0.0.1"],
    ["::FFFF:10.0.0.1", "10.0.0.1"],
    ["::ffff:a00:1", "10.0.0.1"],
    ["2001:db8:0:0::1", "2001:0db8::0001"],
    ["2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"],
    ["2001:DB8::A", "2001:db8::a"],
    ["FD00::1", "fd00:0:0:0:0:0:0:1"],
    ["10.0.0.1", "10.0.0.1"],
    ["kubernetes.default.svc", "kubernetes.default.svc"],
    ["LB.Example.COM", "lb.example.com"],
    ["Kubernetes", "kubernetes"],
  ])("%s is the same address as %s", (a, b) => {
    expect(sameAddress(a, b)).toBe(true);
    expect(sameAddress(b, a)).toBe(true);
  });

  it.each([
    ["10.0.0.1", "10.0.0.2"],
    ["::ffff:10.0.0.1", "10.0.0.2"],
    // IPv4-compatible (::a00:1) is not IPv4-mapped (::ffff:a00:1): a different address.
    ["::10.0.0.1", "10.0.0.1"],
    ["2001:db8::1", "2001:db8::10"],
    ["2001:db8:0:0::1", "2001:db8:1::1"],
    ["2001:DB8::A", "2001:db8::b"],
    ["fd00::1", "10.0.0.1"],
    ["kubernetes", "kubernetes.default"],
    ["lb.example.com", "lb2.example.com"],
    ["a.example.com", "b.example.com"],
    ["localhost", "127.0.0.1"],
    ["lb.example.com", "10.0.0.1"],
  ])("%s is not the same address as %s", (a, b) => {
    expect(sameAddress(a, b)).toBe(false);
    expect(sameAddress(b, a)).toBe(false);
  });
});

describe("addExpected", () => {
  it("merges spellings of the same IP and keeps every reason", () => {
    const list: ExpectedAddress[] = [];
    addExpected(list, "10.96.0.1", "service/default/kubernetes", sameAddress);
    addExpected(list, "::ffff:10.96.0.1", "--address", sameAddress);
    addExpected(list, "10.96.0.1", "--address", sameAddress);
    addExpected(list, "fd00:0:0:0::1", "kubeconfig", sameAddress);
    addExpected(list, "FD00::0001", "--address", sameAddress);
    addExpected(list, "Kubernetes", "--address", sameAddress);
    addExpected(list, "kubernetes", "in-cluster name", sameAddress);
    addExpected(list, "10.96.0.10", "--address", sameAddress);
    expect(list).toEqual([
      { address: "10.96.0.1", from: ["service/default/kubernetes", "--address"] },
      { address: "fd00:0:0:0::1", from: ["kubeconfig", "--address"] },
      { address: "Kubernetes", from: ["--address", "in-cluster name"] },
      { address: "10.96.0.10", from: ["--address"] },
    ]);
  });
});

describe("checkApiServerSans, in full", () => {
  let ca: Issued;
  let a: Issued;
  let b: Issued;
  beforeAll(async () => {
    ca = await issue({ cn: "kubernetes", ca: true });
    a = await issue({
      cn: "kube-apiserver",
      sans: { dns: ["kubernetes"], ip: ["10.2.1.151"] },
      signer: ca,
      serial: "aa",
    });
    b = await issue({ cn: "kube-apiserver", sans: { dns: ["kubernetes", "lb.example.com"] }, signer: ca });
  });

  it("rows name every endpoint per address; one finding per certificate that lacks something", () => {
    const expected: ExpectedAddress[] = [
      { address: "kubernetes", from: ["in-cluster name"] },
      { address: "10.2.1.151", from: ["kubeconfig", "--address"] },
      { address: "lb.example.com", from: ["--address"] },
    ];
    const { rows, findings } = checkApiServerSans(expected, [
      { endpoints: ["10.2.1.151:6443", "10.2.1.139:6443"], cert: a.info },
      { endpoints: ["lb.example.com:6443"], cert: b.info },
    ]);
    expect(rows).toEqual([
      {
        address: "kubernetes",
        from: ["in-cluster name"],
        coveredAt: ["10.2.1.151:6443", "10.2.1.139:6443", "lb.example.com:6443"],
        missingAt: [],
      },
      {
        address: "10.2.1.151",
        from: ["kubeconfig", "--address"],
        coveredAt: ["10.2.1.151:6443", "10.2.1.139:6443"],
        missingAt: ["lb.example.com:6443"],
      },
      {
        address: "lb.example.com",
        from: ["--address"],
        coveredAt: ["lb.example.com:6443"],
        missingAt: ["10.2.1.151:6443", "10.2.1.139:6443"],
      },
    ]);
    expect(findings).toEqual([
      {
        code: "SAN_MISSING",
        severity: "critical",
        subject: { endpoint: "10.2.1.151:6443" },
        message:
          "the API server certificate served at 10.2.1.151:6443, 10.2.1.139:6443 does not cover lb.example.com: clients that connect there fail to verify it",
        evidence: {
          endpoints: ["10.2.1.151:6443", "10.2.1.139:6443"],
          subject: "CN=kube-apiserver",
          serial: "aa",
          sans: ["kubernetes", "10.2.1.151"],
          missing: [{ address: "lb.example.com", from: ["--address"] }],
        },
        next: expect.stringMatching(/^add lb\.example\.com to apiServer\.certSANs /),
      },
      {
        code: "SAN_MISSING",
        severity: "critical",
        subject: { endpoint: "lb.example.com:6443" },
        message:
          "the API server certificate served at lb.example.com:6443 does not cover 10.2.1.151: clients that connect there fail to verify it",
        evidence: {
          endpoints: ["lb.example.com:6443"],
          subject: "CN=kube-apiserver",
          serial: b.info.serial,
          sans: ["kubernetes", "lb.example.com"],
          missing: [{ address: "10.2.1.151", from: ["kubeconfig", "--address"] }],
        },
        next: expect.stringMatching(/^add 10\.2\.1\.151 to apiServer\.certSANs /),
      },
    ]);
  });
});

describe("hostOf, more spellings", () => {
  it.each([
    ["  10.2.1.139:6443  ", "10.2.1.139"],
    ["HTTPS://LB.example.com", "lb.example.com"],
    ["https://lb.example.com/", "lb.example.com"],
    ["[fd00::1]", "fd00::1"],
    ["[fd00::1]:x", "[fd00::1]:x"],
    ["a[fd00::1]:6443", "a[fd00::1]:6443"],
  ])("%j → %s", (text, host) => expect(hostOf(text)).toBe(host));
});

describe("expectedAddresses", () => {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

  it("derives every address clients use, each with why, one entry per address", () => {
    expect(
      expectedAddresses({
        server: "https://LB.example.com:6443",
        naming: {
          serviceIp: "10.64.0.1",
          clusterDomain: "corp.local",
          certSans: ["lb.example.com", "10.2.1.139"],
          controlPlaneEndpoint: "10.2.1.139:6443",
        },
        served: [
          { host: "lb.example.com", from: "kubeconfig" },
          { host: "10.2.1.151", from: "endpoints/default/kubernetes" },
        ],
        flagged: ["https://vip.example.com:8443", "[fd00::1]:6443"],
        same,
      }),
    ).toEqual([
      { address: "lb.example.com", from: ["kubeconfig", "kubeadm-config certSANs"] },
      { address: "10.64.0.1", from: ["service/default/kubernetes"] },
      { address: "kubernetes", from: ["in-cluster name"] },
      { address: "kubernetes.default", from: ["in-cluster name"] },
      { address: "kubernetes.default.svc", from: ["in-cluster name"] },
      { address: "kubernetes.default.svc.corp.local", from: ["in-cluster name"] },
      { address: "10.2.1.151", from: ["endpoints/default/kubernetes"] },
      { address: "10.2.1.139", from: ["kubeadm-config certSANs", "kubeadm-config controlPlaneEndpoint"] },
      { address: "vip.example.com", from: ["--address"] },
      { address: "fd00::1", from: ["--address"] },
    ]);
  });

  it("without kubeadm-config or a Service IP, still the kubeconfig's host and the in-cluster names", () => {
    expect(
      expectedAddresses({
        server: "https://10.0.0.1:6443",
        naming: { clusterDomain: "cluster.local", certSans: [] },
        served: [],
        flagged: [],
        same,
      }).map((e) => e.address),
    ).toEqual([
      "10.0.0.1",
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local",
    ]);
  });
});
