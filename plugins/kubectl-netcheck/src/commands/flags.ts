import type { CommandContext } from "@kubemend/lib/cli/app";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { exitCodeForFindings, type FailOn, type Finding, parseFailOn } from "@kubemend/lib/findings/finding";
import type { Argv } from "yargs";
import type { Verdict } from "../checks/layers.js";
import { renderReport } from "../report/report.js";

export function withFailOn(y: Argv): Argv {
  return y.option("fail-on", {
    type: "string",
    default: "critical",
    describe: "Exit 1 when a finding reaches this severity: info, warning, critical or never",
  });
}

export function failOnFrom(args: Record<string, unknown>): FailOn {
  return parseFailOn(String(args["fail-on"] ?? "critical"));
}

/** Prints the report on stdout and returns the exit code --fail-on calls for. */
export function report(
  ctx: CommandContext,
  title: string,
  verdict: Verdict,
  findings: readonly Finding[],
  failOn: FailOn,
): ExitCode {
  ctx.io.out.write(renderReport(title, verdict, findings, { format: ctx.output, color: ctx.color }));
  return exitCodeForFindings(findings, failOn);
}
