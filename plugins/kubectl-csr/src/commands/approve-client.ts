import type { CommandSpec } from "@kubemend/lib/cli/app";
import { type DryRun, parseDryRun } from "@kubemend/lib/cli/dry-run";
import { UsageError } from "@kubemend/lib/cli/errors";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { KubeCommand } from "@kubemend/lib/cli/kube-command";
import { connect } from "@kubemend/lib/kube/connect";
import { parseDuration } from "@kubemend/lib/output/duration";
import { renderStructured } from "@kubemend/lib/output/format";
import { approvalExitCode, carryOut, type Outcome } from "../approval/carry-out.js";
import { type ClientSettings, clientPolicy, planClientApprovals } from "../approval/client-plan.js";
import type { Plan } from "../approval/plan.js";
import { approvalAccess, preflightApproval } from "../approval/preflight.js";
import { callerName } from "../collect/caller.js";
import { pendingCsrNames } from "../collect/csrs.js";
import { KUBELET_CLIENT_SIGNER } from "../policy/types.js";
import { outcomeLine, planDocument, renderPlanTable } from "../report/plan.js";

/** approve-client's options: built from the flags in complete, checked in validate, used in run. */
interface ApproveClientOptions {
  names: string[];
  all: boolean;
  dryRun: DryRun;
  denyInvalid: boolean;
  settings: ClientSettings;
}

class ApproveClient extends KubeCommand<ApproveClientOptions> {
  protected readOptions(args: Record<string, unknown>): ApproveClientOptions {
    const window = parseDuration(String(args.window));
    if (window === undefined || window <= 0)
      throw new UsageError(`invalid --window "${String(args.window)}"`, "use a duration such as 10m");
    return {
      names: ((args.names as unknown[] | undefined) ?? []).map(String),
      all: args.all === true,
      dryRun: parseDryRun(args["dry-run"]),
      denyInvalid: args["deny-invalid"] === true,
      settings: { allowExistingNode: args["allow-existing-node"] === true, windowMs: window },
    };
  }

  override validate(): void {
    const { all, names } = this.options;
    if (all && names.length > 0)
      throw new UsageError("name CSRs or use --all, not both", "see 'kubectl csr approve-client --help'");
    if (!all && names.length === 0)
      throw new UsageError(
        "no CSRs named",
        "name the CSRs to approve, or use --all for every pending kubelet client CSR",
      );
  }

  async run(): Promise<ExitCode> {
    const { io } = this.ctx;
    const { options } = this;
    const structured = this.ctx.output === "json" || this.ctx.output === "yaml";
    if (options.dryRun !== "client")
      await preflightApproval(this.client, "approve", approvalAccess(KUBELET_CLIENT_SIGNER));
    const now = () => this.ctx.clock.now();
    const plan = await planClientApprovals(
      this.client,
      options.all ? { all: true } : { names: options.names },
      options.settings,
      now(),
    );
    const caller = await callerName(this.client);
    if (!structured) this.printPlan(plan);
    let outcomes: Outcome[] | undefined;
    if (options.dryRun !== "client")
      outcomes = await carryOut(this.client, plan, {
        serverDryRun: options.dryRun === "server",
        denyInvalid: options.denyInvalid,
        caller,
        policy: clientPolicy(options.settings, now),
        now,
        onOutcome: (outcome) => {
          if (!structured) io.out.write(`${outcomeLine(outcome)}\n`);
        },
      });
    else if (!structured)
      for (const name of plan.missing)
        io.out.write(`${outcomeLine({ name, result: "not-found", message: "not found" })}\n`);
    if (structured)
      io.out.write(
        renderStructured(
          planDocument(plan, { dryRun: options.dryRun, caller, kind: "ClientCsrApproval" }, outcomes),
          this.ctx.output as "json" | "yaml",
        ),
      );
    return approvalExitCode(plan, outcomes, !options.all);
  }

  private printPlan(plan: Plan): void {
    if (plan.reviews.length === 0) {
      if (plan.missing.length === 0) this.ctx.io.err.write("No pending kubelet client CSRs found.\n");
      return;
    }
    this.ctx.io.out.write(
      renderPlanTable(plan, this.ctx.output === "wide", this.ctx.color, this.ctx.clock.now()),
    );
  }
}

export const approveClientCommand: CommandSpec = {
  command: "approve-client [names..]",
  completeArgs: async (ctx) => ({ names: await pendingCsrNames(await connect(ctx), KUBELET_CLIENT_SIGNER) }),
  describe:
    "Approve kubelet client CSRs (TLS bootstrap and renewals) only when they provably come from the node they name; explain every refusal",
  builder: (y) =>
    y
      .positional("names", { type: "string", array: true, describe: "CSR names" })
      .option("all", { type: "boolean", default: false, describe: "Every pending kubelet client CSR" })
      .option("dry-run", {
        type: "string",
        describe: 'Print the plan only ("client", or bare --dry-run), or send dryRun=All ("server")',
      })
      .option("deny-invalid", {
        type: "boolean",
        default: false,
        describe:
          "Deny the kubelet client CSRs that fail a rule, with the reasons; default leaves them pending",
      })
      .option("allow-existing-node", {
        type: "boolean",
        default: false,
        describe:
          "Let a bootstrap token ask for the name of an existing, Ready node (kubeadm's auto-approval allows it; whoever holds any bootstrap token could then take over that node's identity)",
      })
      .option("window", {
        type: "string",
        default: "10m",
        describe: "At most one approved client CSR per node within this time; the others are superseded",
      }),
  examples: [
    ["kubectl csr approve-client --all", "Approve every pending kubelet client CSR that passes every rule"],
    ["kubectl csr approve-client --all --dry-run", "Only print the plan"],
    [
      "kubectl csr approve-client node-csr-Xb3q… --deny-invalid",
      "Decide one CSR; deny it with the reasons if it fails",
    ],
  ],
  create: (args, ctx) => new ApproveClient(args, ctx),
};
