import { describe, expect, it } from "vitest";
import { lightNodeIp, nodePrefix } from "./nodes.js";

describe("lightNodeIp", () => {
  it("fills the cluster's block below its load balancer and stand-ins, then 10.3.0.0/16 on", () => {
    expect(lightNodeIp(7, 0)).toBe("10.2.7.1");
    expect(lightNodeIp(7, 127)).toBe("10.2.7.128");
    expect(lightNodeIp(7, 128)).toBe("10.3.0.1");
    expect(lightNodeIp(7, 128 + 254)).toBe("10.3.1.1");
  });

  it("gives 1,000 nodes 1,000 different addresses", () => {
    const ips = new Set(Array.from({ length: 1000 }, (_, i) => lightNodeIp(3, i)));
    expect(ips.size).toBe(1000);
  });
});

describe("nodePrefix", () => {
  it("makes a valid node-name prefix from any seed", () => {
    expect(nodePrefix("serving-csrs", "Run_1")).toBe("serving-csrs-run-1");
  });
});
