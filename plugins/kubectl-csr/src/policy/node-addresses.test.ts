import { describe, expect, it } from "vitest";
import { nodeAddressesRule } from "./node-addresses.js";
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
