import type { CertificateSigningRequest, Rule } from "./types.js";

const FINAL = ["Approved", "Denied", "Failed"];

/** The first Approved, Denied or Failed condition in force; a condition's status defaults to True. */
export function finalCondition(csr: CertificateSigningRequest): string | undefined {
  return csr.status?.conditions?.find((c) => FINAL.includes(c.type) && (c.status ?? "True") === "True")?.type;
}

export function isPending(csr: CertificateSigningRequest): boolean {
  return !finalCondition(csr) && !csr.status?.certificate && !csr.metadata.deletionTimestamp;
}

/** Rule 2: still pending, not issued, not being deleted. */
export const stateRule: Rule = ({ csr }) => {
  const problems: string[] = [];
  const condition = finalCondition(csr);
  if (condition) problems.push(`already ${condition}`);
  if (csr.status?.certificate) problems.push("already has a certificate");
  if (csr.metadata.deletionTimestamp) problems.push("is being deleted");
  return problems.map((message) => ({ rule: "state", message }));
};
