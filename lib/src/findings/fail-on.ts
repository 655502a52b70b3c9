import { type FailOn, parseFailOn, SEVERITIES } from "./finding.js";

/** --fail-on, as every command that reports findings declares it. */
export const FAIL_ON_OPTION = {
  type: "string",
  default: "critical",
  describe: `Exit 1 when a finding is at least this severe: ${SEVERITIES.join(", ")} or never`,
} as const;

export function failOnFrom(args: Record<string, unknown>): FailOn {
  return parseFailOn(String(args["fail-on"] ?? "critical"));
}
