import { describe, expect, it } from "vitest";
import { hostOf, portOf } from "./sans.js";

// --address as operators write it: a bare IPv6 address has no port; a port needs brackets, as in URLs.
describe("an --address, split into host and port", () => {
  it.each([
    ["10.2.1.139", "10.2.1.139", undefined],
    ["10.2.1.139:6443", "10.2.1.139", 6443],
    ["lb.example.com:443", "lb.example.com", 443],
    ["fd00::1", "fd00::1", undefined],
    ["2001:db8::10", "2001:db8::10", undefined],
    ["[fd00::1]", "fd00::1", undefined],
    ["[fd00::1]:6443", "fd00::1", 6443],
    ["https://[2001:db8::10]:8443", "2001:db8::10", 8443],
    ["https://lb.example.com", "lb.example.com", undefined],
  ])("%s", (address, host, port) => {
    expect(hostOf(address)).toBe(host);
    expect(portOf(address)).toBe(port);
  });
});
