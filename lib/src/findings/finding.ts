import { UsageError } from "../cli/errors.js";
import { ExitCode } from "../cli/exit-codes.js";

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a finding is about: a Kubernetes object, a file, or a network endpoint. */
export type Subject =
  | { kind: string; namespace?: string; name: string }
  | { file: string }
  | { endpoint: string };

/**
 * One result of a check. `code` is stable and documented; `message` is one line for people;
 * `evidence` holds the facts behind it and `next` the command or fix that helps. The JSON form of
 * this object is the contract that scripts rely on.
 */
export interface Finding {
  code: string;
  severity: Severity;
  subject: Subject;
  message: string;
  evidence?: Record<string, unknown>;
  next?: string;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function parseSeverity(text: string): Severity {
  if ((SEVERITIES as readonly string[]).includes(text)) return text as Severity;
  throw new UsageError(`unknown severity "${text}"`, `use one of: ${SEVERITIES.join(", ")}`);
}

/** `--fail-on never` turns the exit code off entirely, for cron jobs that only collect output. */
export type FailOn = Severity | "never";

export function parseFailOn(text: string): FailOn {
  return text === "never" ? "never" : parseSeverity(text);
}

/** Exit 1 when any finding reaches --fail-on, else 0. */
export function exitCodeForFindings(findings: readonly Finding[], failOn: FailOn): ExitCode {
  if (failOn === "never") return ExitCode.OK;
  const threshold = severityRank(failOn);
  return findings.some((f) => severityRank(f.severity) >= threshold) ? ExitCode.FINDINGS : ExitCode.OK;
}

export function subjectText(subject: Subject): string {
  if ("file" in subject) return subject.file;
  if ("endpoint" in subject) return subject.endpoint;
  const kind = subject.kind.toLowerCase();
  return subject.namespace ? `${kind}/${subject.namespace}/${subject.name}` : `${kind}/${subject.name}`;
}

/** Most severe first, then by code and subject, so output is stable from run to run. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      compareText(a.code, b.code) ||
      compareText(subjectText(a.subject), subjectText(b.subject)),
  );
}

/** Code-point order: the same in every locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
