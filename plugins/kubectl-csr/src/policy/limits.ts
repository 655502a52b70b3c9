import { type Cidr, cidrContains, parseCidr } from "@kubemend/lib/net/cidr";
import { parseIp } from "@kubemend/lib/net/ip";
import type { Rule, Violation } from "./types.js";

/** Rule 9: the operator's own limits (--allowed-cidrs, --dns-regex, --max-expiration). */
export const limitsRule: Rule = ({ csr, request, limits }) => {
  const violations: Violation[] = [];
  if (request.ok && limits.allowedCidrs.length > 0) {
    const allowed = limits.allowedCidrs.map(parseCidr).filter((c): c is Cidr => c !== undefined);
    for (const text of request.csr.sans.ip) {
      const ip = parseIp(text);
      if (!ip || !allowed.some((cidr) => cidrContains(cidr, ip)))
        violations.push({
          rule: "allowed-cidrs",
          message: `IP SAN ${text} is outside --allowed-cidrs ${limits.allowedCidrs.join(",")}`,
        });
    }
  }
  if (request.ok && limits.dnsRegex)
    for (const dns of request.csr.sans.dns)
      if (!limits.dnsRegex.test(dns))
        violations.push({
          rule: "dns-regex",
          message: `DNS SAN ${dns} does not match --dns-regex ${limits.dnsRegex.source}`,
        });
  const asked = csr.spec.expirationSeconds;
  if (limits.maxExpirationSeconds !== undefined && asked !== undefined && asked > limits.maxExpirationSeconds)
    violations.push({
      rule: "max-expiration",
      message: `expirationSeconds ${asked} exceeds --max-expiration (${limits.maxExpirationSeconds}s)`,
    });
  return violations;
};

/** --dns-regex is anchored: it must match the whole name. */
export function anchoredRegex(source: string): RegExp {
  return new RegExp(`^(?:${source})$`, "i");
}
