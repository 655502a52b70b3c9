import { beforeAll, describe, expect, it } from "vitest";
import { type Issued, issue } from "../testing.js";
import { addExpected, checkApiServerSans, type ExpectedAddress, hostOf } from "./sans.js";

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

describe("addExpected", () => {
  it("merges spellings of the same IP and keeps every reason", () => {
    const list: ExpectedAddress[] = [];
    const same = (a: string, b: string) => a.replace(/^0+/, "") === b.replace(/^0+/, "");
    addExpected(list, "10.96.0.1", "service/default/kubernetes", same);
    addExpected(list, "10.96.0.1", "--address", same);
    addExpected(list, "10.96.0.1", "--address", same);
    expect(list).toEqual([{ address: "10.96.0.1", from: ["service/default/kubernetes", "--address"] }]);
  });
});
