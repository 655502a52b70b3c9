import { UsageError } from "@kubemend/lib/cli/errors";
import { describe, expect, it } from "vitest";
import { parseDestination } from "./policy.js";

describe("netcheck policy --to", () => {
  it.each([
    ["web-0:8080", undefined, { end: "web-0", port: 8080, protocol: "TCP" }],
    ["back/api:53/UDP", undefined, { end: "back/api", port: 53, protocol: "UDP" }],
    ["back/api:53/udp", undefined, { end: "back/api", port: 53, protocol: "UDP" }],
    ["back/api:53", "udp", { end: "back/api", port: 53, protocol: "UDP" }],
    ["back/api:53/UDP", "UDP", { end: "back/api", port: 53, protocol: "UDP" }],
    ["10.0.0.7:5432/TCP", undefined, { end: "10.0.0.7", port: 5432, protocol: "TCP" }],
    ["db:3868/SCTP", undefined, { end: "db", port: 3868, protocol: "SCTP" }],
  ])("%s with --protocol %s", (to, protocol, expected) => {
    expect(parseDestination(to, protocol)).toEqual(expected);
  });

  it.each([
    ["web-0", undefined, '--to "web-0" has no port'],
    ["web-0:0", undefined, "port 0 is out of range 1-65535"],
    ["web-0:70000", undefined, "port 70000 is out of range 1-65535"],
    ["web-0:53/UDP", "TCP", "--to says UDP but --protocol says TCP"],
    ["web-0:53/ICMP", undefined, 'unknown protocol "ICMP"'],
    ["web-0:53", "QUIC", 'unknown protocol "QUIC"'],
    ["web-0:53/", undefined, '--to "web-0:53/" has no port'],
  ])("refuses %s (--protocol %s) in one line", (to, protocol, message) => {
    expect(() => parseDestination(to, protocol)).toThrow(UsageError);
    expect(() => parseDestination(to, protocol)).toThrow(message);
  });
});
