import type { Rule } from "./types.js";

/** Rule 6: names a TLS client can check, and only those. */
export const sansRule: Rule = ({ request }) => {
  if (!request.ok) return [];
  const { dns, ip, email, uri } = request.csr.sans;
  const violations = [];
  if (dns.length === 0 && ip.length === 0)
    violations.push({ rule: "sans" as const, message: "no DNS or IP SAN" });
  if (email.length > 0)
    violations.push({ rule: "sans" as const, message: `email SAN not allowed: ${email.join(", ")}` });
  if (uri.length > 0)
    violations.push({ rule: "sans" as const, message: `URI SAN not allowed: ${uri.join(", ")}` });
  const wildcards = dns.filter((name) => name.includes("*"));
  if (wildcards.length > 0)
    violations.push({ rule: "sans" as const, message: `wildcard DNS SAN: ${wildcards.join(", ")}` });
  return violations;
};
