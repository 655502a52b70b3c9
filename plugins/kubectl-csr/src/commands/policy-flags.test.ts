import { describe, expect, it } from "vitest";
import { parseTimeout } from "./flags.js";
import { policySettings } from "./policy-flags.js";

describe("policySettings", () => {
  it("parses every policy flag", () => {
    const settings = policySettings({
      "service-cidr": "10.96.0.0/12, fd00::/108",
      "allowed-cidrs": "10.2.0.0/16",
      "dns-regex": "worker-\\d+",
      "max-expiration": "30d",
    });
    expect(settings.serviceCidrs).toEqual(["10.96.0.0/12", "fd00::/108"]);
    expect(settings.limits.allowedCidrs).toEqual(["10.2.0.0/16"]);
    expect(settings.limits.dnsRegex?.test("worker-12")).toBe(true);
    expect(settings.limits.dnsRegex?.test("worker-12.evil")).toBe(false);
    expect(settings.limits.maxExpirationSeconds).toBe(2_592_000);
  });

  it("leaves discovery on and limits off without flags", () => {
    expect(policySettings({})).toEqual({ limits: { allowedCidrs: [] }, serviceCidrs: undefined });
  });

  it.each([
    [{ "service-cidr": "10.96.0.1" }, 'invalid --service-cidr "10.96.0.1"'],
    [{ "allowed-cidrs": "10.2.0.0/40" }, 'invalid --allowed-cidrs "10.2.0.0/40"'],
    [{ "dns-regex": "(" }, /^invalid --dns-regex: /],
    [{ "max-expiration": "5m" }, 'invalid --max-expiration "5m"'],
  ])("rejects %j", (args, message) => {
    expect(() => policySettings(args)).toThrow(message);
  });
});

describe("parseTimeout", () => {
  it("parses durations and rejects zero and garbage", () => {
    expect(parseTimeout("90s")).toBe(90_000);
    expect(() => parseTimeout("0")).toThrow('invalid --timeout "0"');
    expect(() => parseTimeout("soon")).toThrow('invalid --timeout "soon"');
  });
});
