import { describe, expect, it } from "vitest";
import { addressInCidr, formatIp, parseIp, sameIp } from "./ip.js";

const ip = (text: string) => {
  const bytes = parseIp(text);
  if (!bytes) throw new Error(`bad test address ${text}`);
  return bytes;
};

describe("parseIp / formatIp", () => {
  it.each([
    ["10.96.0.1", "10.96.0.1"],
    ["2001:0DB8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"],
    ["::1", "::1"],
    ["::", "::"],
    ["fe80::1%eth0", "fe80::1"],
    ["[::ffff:10.0.0.1]", "10.0.0.1"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
  ])("%s prints as %s", (input, printed) => {
    expect(formatIp(ip(input))).toBe(printed);
  });

  it("treats an IPv4 address and its IPv4-mapped form as equal", () => {
    expect(sameIp(ip("10.0.0.1"), ip("::ffff:10.0.0.1"))).toBe(true);
    expect(sameIp(ip("10.0.0.1"), ip("10.0.0.2"))).toBe(false);
  });

  it("rejects non-addresses", () => {
    expect(parseIp("kubernetes.default")).toBeUndefined();
    expect(parseIp("10.0.0.256")).toBeUndefined();
  });

  it("prints 4-byte SAN values as IPv4", () => {
    expect(formatIp(Uint8Array.of(127, 0, 0, 1))).toBe("127.0.0.1");
  });
});

describe("addressInCidr", () => {
  it.each([
    ["10.96.0.0/12", "10.96.0.1"],
    ["10.64.0.0/12", "10.64.0.1"],
    ["10.233.0.0/18", "10.233.0.1"],
    ["10.96.5.7/12", "10.96.0.1"],
    ["fd00:10:96::/108", "fd00:10:96::1"],
  ])("the kubernetes Service IP of %s is %s", (cidr, expected) => {
    expect(addressInCidr(cidr, 1)).toBe(expected);
  });

  it("rejects a bad CIDR", () => {
    expect(() => addressInCidr("10.96.0.0/33", 1)).toThrow("invalid CIDR");
    expect(() => addressInCidr("nope/12", 1)).toThrow("invalid CIDR");
  });
});
