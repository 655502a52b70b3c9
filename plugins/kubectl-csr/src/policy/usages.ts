import type { Rule } from "./types.js";

const ALLOWED = new Set(["digital signature", "key encipherment", "server auth"]);

/** Rule 5: a serving certificate and nothing more; ECDSA kubelets leave out key encipherment. */
export const usagesRule: Rule = ({ csr }) => {
  const usages = csr.spec.usages ?? [];
  const violations = [];
  const extra = usages.filter((u) => !ALLOWED.has(u));
  if (extra.length > 0)
    violations.push({ rule: "usages" as const, message: `usage not allowed: ${extra.join(", ")}` });
  if (!usages.includes("server auth"))
    violations.push({ rule: "usages" as const, message: 'usages do not include "server auth"' });
  return violations;
};
