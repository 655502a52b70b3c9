import type { CertificateSigningRequest, Rule } from "./types.js";

const NODE_USER_PREFIX = "system:node:";
const REQUIRED_GROUPS = ["system:nodes", "system:authenticated"];

/** The node a CSR was filed by, from spec.username (set by the API server, not by the requester). */
export function requestingNode(csr: CertificateSigningRequest): string | undefined {
  const username = csr.spec.username ?? "";
  if (!username.startsWith(NODE_USER_PREFIX)) return undefined;
  return username.slice(NODE_USER_PREFIX.length) || undefined;
}

/** Rule 3: filed by a node, authenticated as one. */
export const requestorRule: Rule = ({ csr }) => {
  const violations = [];
  if (!requestingNode(csr))
    violations.push({
      rule: "requestor" as const,
      message: `requested by "${csr.spec.username ?? ""}", not by a node (system:node:<name>)`,
    });
  const groups = csr.spec.groups ?? [];
  const missing = REQUIRED_GROUPS.filter((g) => !groups.includes(g));
  if (missing.length > 0)
    violations.push({
      rule: "requestor" as const,
      message: `requestor is not in group ${missing.join(" and ")}`,
    });
  return violations;
};
