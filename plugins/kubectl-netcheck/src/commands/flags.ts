import type { CommandContext } from "@kubemend/lib/cli/app";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { FAIL_ON_OPTION, failOnFrom } from "@kubemend/lib/findings/fail-on";
import { exitCodeForFindings, type FailOn, type Finding } from "@kubemend/lib/findings/finding";
import type { Argv } from "yargs";
import type { Verdict } from "../checks/layers.js";
import { renderReport } from "../report/report.js";

export function withFailOn(y: Argv): Argv {
  return y.option("fail-on", FAIL_ON_OPTION);
}

export { failOnFrom };

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
