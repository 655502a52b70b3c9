import { describe, expect, it } from "vitest";
import { cidrContains, ipInCidr, parseCidr, specialAddress } from "./cidr.js";
import { parseIp } from "./ip.js";

const ip = (text: string) => {
  const bytes = parseIp(text);
  if (!bytes) throw new Error(`bad fixture ${text}`);
  return bytes;
};

describe("parseCidr and cidrContains", () => {
  it.each([
    ["10.96.0.0/12", "10.96.0.1", true],
    ["10.96.0.0/12", "10.111.255.254", true],
    ["10.96.0.0/12", "10.112.0.1", false],
    ["10.96.0.0/12", "10.95.255.255", false],
    ["fd00:10:96::/108", "fd00:10:96::1", true],
    ["fd00:10:96::/108", "fd00:10:97::1", false],
    ["10.2.1.152", "10.2.1.152", true],
    ["10.2.1.152", "10.2.1.153", false],
    ["0.0.0.0/0", "192.0.2.1", true],
  ])("%s contains %s: %s", (cidr, address, expected) => {
    const parsed = parseCidr(cidr);
    if (!parsed) throw new Error(`bad fixture ${cidr}`);
    expect(cidrContains(parsed, ip(address))).toBe(expected);
  });

  it.each(["10.96.0.0/33", "10.96.0.0/x", "nonsense/8", "fd00::/129", ""])("rejects %j", (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it("keeps IPv4 blocks out of the IPv6 space they are mapped into", () => {
    expect(parseCidr("10.0.0.0/8")?.prefix).toBe(104);
  });
});

describe("specialAddress", () => {
  it.each([
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["127.0.0.1", "loopback"],
    ["127.1.2.3", "loopback"],
    ["::1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["10.2.1.152", undefined],
    ["2001:db8::1", undefined],
  ])("%s is %s", (address, kind) => {
    expect(specialAddress(ip(address))).toBe(kind);
  });
});

describe("ipInCidr", () => {
  it("matches prefixes at bit granularity, within one family", () => {
    expect(ipInCidr("10.244.3.7", "10.244.0.0/16")).toBe(true);
    expect(ipInCidr("10.244.200.1", "10.244.0.0/17")).toBe(false);
    expect(ipInCidr("192.0.2.1", "0.0.0.0/0")).toBe(true);
    expect(ipInCidr("192.0.2.1", "192.0.2.1/32")).toBe(true);
    expect(ipInCidr("192.0.2.1", "nonsense")).toBe(false);
    expect(ipInCidr("192.0.2.1", "::/0")).toBe(false);
    expect(ipInCidr("fd00::5", "fd00::/64")).toBe(true);
  });
});
