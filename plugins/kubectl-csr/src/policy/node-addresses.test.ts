import { describe, expect, it } from "vitest";
import { nodeAddressesRule, nodeDnsNames, nodeIps } from "./node-addresses.js";
import { NODE, servingCsr, underReview } from "./testing.js";

const messages = async (sans: { dns?: string[]; ip?: string[] }, serviceCidrs = ["10.96.0.0/12"]) =>
  nodeAddressesRule(underReview(await servingCsr({ sans }), { serviceCidrs })).map((v) => v.message);

describe("node-addresses rule", () => {
  it("holds for the node's name, its DNS addresses and its Internal/External IPs", async () => {
    expect(
      await messages({
        dns: ["worker-1", "WORKER-1.internal.example"],
        ip: ["10.2.1.152", "203.0.113.7"],
      }),
    ).toEqual([]);
  });

  it("refuses another node's IP and a name the node does not have", async () => {
    expect(await messages({ dns: ["worker-2"], ip: ["10.2.1.153"] })).toEqual([
      "DNS SAN worker-2 is not a name of node worker-1",
      "IP SAN 10.2.1.153 is not an address of node worker-1",
    ]);
  });

  it("refuses kubernetes.default.svc and a Service ClusterIP", async () => {
    expect(await messages({ dns: ["kubernetes.default.svc"], ip: ["10.96.0.1"] })).toEqual([
      "DNS SAN kubernetes.default.svc is not a name of node worker-1",
      "IP SAN 10.96.0.1 is in the Service CIDR 10.96.0.0/12",
    ]);
  });

  it("refuses special addresses even when the node reports them as its own", async () => {
    const node = {
      name: "worker-1",
      addresses: ["127.0.0.1", "169.254.1.1", "0.0.0.0", "224.0.0.5", "10.96.0.10"].map((address) => ({
        type: "InternalIP",
        address,
      })),
    };
    const csr = await servingCsr({
      sans: { ip: ["127.0.0.1", "169.254.1.1", "0.0.0.0", "224.0.0.5", "10.96.0.10"] },
    });
    expect(nodeAddressesRule(underReview(csr, { node })).map((v) => v.message)).toEqual([
      "IP SAN 127.0.0.1 is loopback",
      "IP SAN 169.254.1.1 is link-local",
      "IP SAN 0.0.0.0 is unspecified",
      "IP SAN 224.0.0.5 is multicast",
      "IP SAN 10.96.0.10 is in the Service CIDR 10.96.0.0/12",
    ]);
  });

  it("checks every Service CIDR of a dual-stack cluster", async () => {
    const node = {
      ...NODE,
      addresses: [...NODE.addresses, { type: "InternalIP", address: "fd00:10:96::a" }],
    };
    const csr = await servingCsr({ sans: { ip: ["fd00:10:96::a"] } });
    const review = underReview(csr, { node, serviceCidrs: ["10.96.0.0/12", "fd00:10:96::/108"] });
    expect(nodeAddressesRule(review)).toEqual([
      { rule: "node-addresses", message: "IP SAN fd00:10:96::a is in the Service CIDR fd00:10:96::/108" },
    ]);
  });

  it("refuses a CSR from a node that does not exist", async () => {
    const csr = await servingCsr({ node: "ghost" });
    expect(nodeAddressesRule(underReview(csr, { node: undefined }))).toEqual([
      { rule: "node-addresses", message: 'node "ghost" does not exist' },
    ]);
  });

  it("ignores Hostname-typed entries for IP SANs and IP-typed entries for DNS SANs", async () => {
    const node = {
      name: "worker-1",
      addresses: [
        { type: "Hostname", address: "10.2.1.152" },
        { type: "InternalIP", address: "10.2.1.200" },
      ],
    };
    const csr = await servingCsr({ sans: { dns: ["10.2.1.200"], ip: ["10.2.1.152"] } });
    expect(nodeAddressesRule(underReview(csr, { node })).map((v) => v.message)).toEqual([
      "DNS SAN 10.2.1.200 is not a name of node worker-1",
      "IP SAN 10.2.1.152 is not an address of node worker-1",
    ]);
  });
});

describe("node-addresses rule, edge cases", () => {
  const node = {
    name: "worker-1",
    addresses: [
      { type: "InternalIP", address: "not-an-ip" },
      { type: "InternalIP", address: "10.2.1.152" },
      { type: "Hostname", address: "Worker-1.lan" },
      { type: "ExternalDNS", address: "worker-1.example.com" },
      { type: "ExternalIP", address: "203.0.113.7" },
      { type: "InternalDNS", address: "worker-1.internal.example" },
    ],
  };

  it("takes the node's name and its Hostname, InternalDNS and ExternalDNS entries as names, in lower case", () => {
    expect(nodeDnsNames(node)).toEqual([
      "worker-1",
      "worker-1.lan",
      "worker-1.example.com",
      "worker-1.internal.example",
    ]);
  });

  it("takes the node's InternalIP and ExternalIP entries that are addresses", () => {
    expect(nodeIps(node).map((ip) => Buffer.from(ip).toString("hex"))).toEqual([
      "00000000000000000000ffff0a020198",
      "00000000000000000000ffffcb007107",
    ]);
  });

  it("holds for every name and address of the node, past entries that are not addresses", async () => {
    const csr = await servingCsr({
      sans: { dns: ["worker-1.lan", "worker-1.example.com"], ip: ["10.2.1.152", "203.0.113.7"] },
    });
    expect(nodeAddressesRule(underReview(csr, { node, serviceCidrs: ["bogus", "10.96.0.0/12"] }))).toEqual(
      [],
    );
  });

  it("still finds a Service ClusterIP past a Service CIDR that does not parse", async () => {
    const csr = await servingCsr({ sans: { ip: ["10.96.0.1"] } });
    expect(nodeAddressesRule(underReview(csr, { serviceCidrs: ["bogus", "10.96.0.0/12"] }))).toEqual([
      { rule: "node-addresses", message: "IP SAN 10.96.0.1 is in the Service CIDR 10.96.0.0/12" },
    ]);
  });

  it("says nothing about a CSR not filed by a node (the requestor rule reports it)", async () => {
    const csr = await servingCsr({ username: "kubernetes-admin" });
    expect(nodeAddressesRule(underReview(csr, { node: undefined }))).toEqual([]);
  });

  it("says nothing about a request that does not parse (the request rule reports it)", async () => {
    const csr = await servingCsr();
    csr.spec.request = Buffer.from("hello").toString("base64");
    expect(nodeAddressesRule(underReview(csr))).toEqual([]);
  });

  it("refuses an IP SAN that is not an address (the parser shows other lengths as hex)", async () => {
    const review = underReview(await servingCsr());
    if (!review.request.ok) throw new Error("fixture does not parse");
    const sans = { ...review.request.csr.sans, ip: ["0a02019801", "10.2.1.152"] };
    review.request = { ok: true, csr: { ...review.request.csr, sans } };
    expect(nodeAddressesRule(review)).toEqual([
      { rule: "node-addresses", message: "IP SAN 0a02019801 is not an address" },
    ]);
  });
});
