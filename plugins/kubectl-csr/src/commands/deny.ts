import type { CommandSpec } from "@kubemend/lib/cli/app";
import { type DryRun, parseDryRun } from "@kubemend/lib/cli/dry-run";
import { UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { KubeCommand } from "@kubemend/lib/cli/kube-command";
import { connect } from "@kubemend/lib/kube/connect";
import { renderStructured } from "@kubemend/lib/output/format";
import type { Outcome } from "../approval/carry-out.js";
import { condition, REASONS } from "../approval/conditions.js";
import { decide } from "../approval/decide.js";
import { APPROVAL_ACCESS, preflightApproval } from "../approval/preflight.js";
import { callerName } from "../collect/caller.js";
import { getCsrs, pendingCsrNames } from "../collect/csrs.js";
import { finalCondition } from "../policy/state.js";
import type { CertificateSigningRequest } from "../policy/types.js";
import { outcomeLine } from "../report/plan.js";

function decidedAlready(csr: CertificateSigningRequest): string | undefined {
  const final = finalCondition(csr);
  if (final) return `already ${final}`;
  if (csr.status?.certificate) return "already has a certificate";
  return undefined;
}

/** deny's flags, read once in complete(). */
interface DenyOptions {
  names: string[];
  reason: string;
  dryRun: DryRun;
}

class Deny extends KubeCommand<DenyOptions> {
  protected readOptions(args: Record<string, unknown>): DenyOptions {
    return {
      names: ((args.names as unknown[] | undefined) ?? []).map(String),
      reason: typeof args.reason === "string" ? args.reason.trim() : "",
      dryRun: parseDryRun(args["dry-run"]),
    };
  }

  override validate(): void {
    const { names, reason, dryRun } = this.options;
    if (names.length === 0) throw new UsageError("no CSRs named", "name the CSRs to deny");
    if (!reason) throw new UsageError("--reason is required", 'say why, e.g. --reason "not our node"');
    if (dryRun === "client") throw new UsageError("deny supports --dry-run=server only");
  }

  async run(): Promise<ExitCode> {
    const { io } = this.ctx;
    const structured = this.ctx.output === "json" || this.ctx.output === "yaml";
    // Which signers' CSRs may be denied depends on the CSR; the approval subresource is common to all.
    await preflightApproval(this.client, "deny", APPROVAL_ACCESS.slice(0, 1));
    const caller = await callerName(this.client);
    const { found, missing } = await getCsrs(this.client, this.options.names);
    const outcomes: Outcome[] = [];
    const report = (outcome: Outcome) => {
      outcomes.push(outcome);
      if (!structured) io.out.write(`${outcomeLine(outcome)}\n`);
    };
    const message = `${this.options.reason} (denied by ${caller} with kubectl csr deny)`;
    for (const csr of found) {
      const name = csr.metadata.name;
      const decided = decidedAlready(csr);
      if (decided) {
        report({ name, result: "failed", message: `not denied: ${decided}` });
        continue;
      }
      const result = await decide(
        this.client,
        csr,
        condition("Denied", REASONS.deny, message, this.ctx.clock.now()),
        {
          serverDryRun: this.options.dryRun === "server",
          recheck: async (fresh) => decidedAlready(fresh),
        },
      );
      report(
        result.written
          ? {
              name,
              result: "denied",
              message: "denied",
              serverDryRun: this.options.dryRun === "server" || undefined,
            }
          : { name, result: "failed", message: `not denied: ${result.message}`, conflicts: result.conflicts },
      );
    }
    for (const name of missing) report({ name, result: "not-found", message: "not found" });
    if (structured)
      io.out.write(
        renderStructured(
          { apiVersion: "kubemend.io/v1", kind: "CsrDenial", caller, items: outcomes },
          this.ctx.output as "json" | "yaml",
        ),
      );
    return outcomes.every((o) => o.result === "denied") ? ExitCode.OK : ExitCode.FINDINGS;
  }
}

export const denyCommand: CommandSpec = {
  command: "deny [names..]",
  completeArgs: async (ctx) => ({ names: await pendingCsrNames(await connect(ctx)) }),
  describe: "Deny CSRs, saying why",
  outputs: ["table", "json", "yaml"],
  builder: (y) =>
    y
      .positional("names", { type: "string", array: true, describe: "CSR names" })
      .option("reason", { type: "string", describe: "Why: recorded in the Denied condition's message" })
      .option("dry-run", { type: "string", describe: 'Send dryRun=All ("server")' }),
  examples: [['kubectl csr deny csr-8x2kq --reason "asks for the API server\'s IP"', "Deny one CSR"]],
  create: (args, ctx) => new Deny(args, ctx),
};
