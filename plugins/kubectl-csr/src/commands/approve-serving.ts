import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { type DryRun, parseDryRun } from "@kubemend/lib/cli/dry-run";
import { UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { connect } from "@kubemend/lib/kube/connect";
import { Informer } from "@kubemend/lib/kube/informer";
import { renderStructured } from "@kubemend/lib/output/format";
import { approvalExitCode, carryOut, type Outcome } from "../approval/carry-out.js";
import { type ClientSettings, clientPolicy, planClientApprovals } from "../approval/client-plan.js";
import { type Plan, planApprovals } from "../approval/plan.js";
import { type ApprovalPolicy, servingPolicy } from "../approval/policy.js";
import { approvalAccess, preflightApproval } from "../approval/preflight.js";
import { callerName } from "../collect/caller.js";
import type { ReviewSettings } from "../collect/context.js";
import { pendingCsrNames } from "../collect/csrs.js";
import { KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER } from "../policy/types.js";
import { outcomeLine, planDocument, renderPlanTable } from "../report/plan.js";
import { LeaderElector } from "../watch/elector.js";
import { watchLoop } from "../watch/loop.js";
import { parseTimeout } from "./flags.js";
import { policySettings, withPolicyFlags } from "./policy-flags.js";

/** The in-cluster approver's client rules: approve-client's defaults, never --allow-existing-node. */
const CLIENT_DEFAULTS: ClientSettings = { allowExistingNode: false, windowMs: 10 * 60_000 };

class ApproveServing implements Command {
  private client!: KubeClient;
  private names: string[] = [];
  private dryRun: DryRun = "none";
  private settings!: ReviewSettings;
  private waitMs: number | undefined;
  private watchFor: number | undefined;
  private intervalMs = 5_000;
  private includeClient = false;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  async complete(): Promise<void> {
    this.names = ((this.args.names as unknown[] | undefined) ?? []).map(String);
    this.client = await connect(this.ctx);
  }

  validate(): void {
    const all = this.args.all === true;
    if (all && this.names.length > 0)
      throw new UsageError("name CSRs or use --all, not both", "see 'kubectl csr approve-serving --help'");
    if (!all && this.names.length === 0)
      throw new UsageError(
        "no CSRs named",
        "name the CSRs to approve, or use --all for every pending kubelet serving CSR",
      );
    this.dryRun = parseDryRun(this.args["dry-run"]);
    this.settings = policySettings(this.args);
    const timeout = this.args.timeout === undefined ? undefined : parseTimeout(this.args.timeout);
    if (this.args.wait === true) this.waitMs = timeout ?? 60_000;
    if (this.args.watch === true) {
      if (this.names.length > 0 || !all)
        throw new UsageError("--watch works on every pending kubelet serving CSR", "use --watch with --all");
      if (this.ctx.output !== "table" && this.ctx.output !== "wide")
        throw new UsageError("--watch prints one line per outcome", "leave out -o with --watch");
      this.watchFor = timeout;
    } else if (this.args["leader-elect"] === true) {
      throw new UsageError("--leader-elect needs --watch");
    }
    this.includeClient = this.args["include-client"] === true;
    if (this.includeClient && this.args.watch !== true)
      throw new UsageError(
        "--include-client works with --watch",
        "outside --watch, use kubectl csr approve-client",
      );
    this.intervalMs = parseTimeout(this.args.interval);
  }

  async run(): Promise<ExitCode> {
    const { io } = this.ctx;
    const structured = this.ctx.output === "json" || this.ctx.output === "yaml";
    if (this.dryRun !== "client") {
      await preflightApproval(this.client, "approve");
      if (this.includeClient)
        await preflightApproval(this.client, "approve", approvalAccess(KUBELET_CLIENT_SIGNER));
    }
    if (this.args.watch === true) return this.watch();
    const plan = await planApprovals(
      this.client,
      this.args.all === true ? { all: true } : { names: this.names },
      this.settings,
    );
    const caller = await callerName(this.client);
    if (!structured) this.printPlan(plan);
    let outcomes: Outcome[] | undefined;
    if (this.dryRun !== "client") {
      outcomes = await carryOut(this.client, plan, {
        serverDryRun: this.dryRun === "server",
        denyInvalid: this.args["deny-invalid"] === true,
        waitMs: this.waitMs,
        caller,
        policy: servingPolicy(this.settings),
        now: () => this.ctx.clock.now(),
        onOutcome: (outcome) => {
          if (!structured) io.out.write(`${outcomeLine(outcome)}\n`);
        },
      });
    } else if (!structured) {
      for (const name of plan.missing)
        io.out.write(`${outcomeLine({ name, result: "not-found", message: "not found" })}\n`);
    }
    if (structured)
      io.out.write(
        renderStructured(
          planDocument(plan, { dryRun: this.dryRun, caller }, outcomes),
          this.ctx.output as "json" | "yaml",
        ),
      );
    return approvalExitCode(plan, outcomes, this.args.all !== true);
  }

  /** Approval passes until --timeout or SIGTERM/SIGINT; with --leader-elect only on the leading replica. */
  private async watch(): Promise<ExitCode> {
    const { io } = this.ctx;
    const caller = await callerName(this.client);
    // The loop ends at the signal and releases its lease (a rollout's SIGTERM), so the process
    // must not end with it.
    this.ctx.interrupt.windDown();
    const identity = this.ctx.env.POD_NAME || `${hostname()}_${randomBytes(4).toString("hex")}`;
    const namespace =
      String(this.args["leader-elect-namespace"] ?? "") || this.ctx.env.POD_NAMESPACE || "kubemend-system";
    const elector =
      this.args["leader-elect"] === true
        ? new LeaderElector(this.client, {
            namespace,
            name: String(this.args["leader-elect-id"]),
            identity,
            // Renewed every pass, so the lease must outlast a few of them (client-go's default is 15s).
            durationSeconds: Math.max(15, Math.ceil((3 * this.intervalMs) / 1000)),
          })
        : undefined;
    // Only a change is worth a line: a CSR left pending is not reported again every round.
    const reported = new Map<string, string>();
    await watchLoop({
      intervalMs: this.intervalMs,
      deadline: this.watchFor === undefined ? undefined : Date.now() + this.watchFor,
      signal: this.ctx.interrupt.signal,
      elector,
      now: () => this.ctx.clock.now(),
      log: (line) => io.err.write(`${line}\n`),
      changes: (notice) => {
        const csrs = new Informer(
          this.client,
          { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" },
          this.includeClient ? {} : { fieldSelector: `spec.signerName=${KUBELET_SERVING_SIGNER}` },
          (type) => {
            if (type !== "DELETED") notice();
          },
        );
        return () => csrs.stop();
      },
      pass: async () => {
        const now = () => this.ctx.clock.now();
        const passes: [Plan, ApprovalPolicy][] = [
          [await planApprovals(this.client, { all: true }, this.settings), servingPolicy(this.settings)],
        ];
        if (this.includeClient)
          passes.push([
            await planClientApprovals(this.client, { all: true }, CLIENT_DEFAULTS, now()),
            clientPolicy(CLIENT_DEFAULTS, now),
          ]);
        const current = new Set(passes.flatMap(([plan]) => plan.reviews.map((r) => r.name)));
        for (const name of reported.keys()) if (!current.has(name)) reported.delete(name);
        if (this.dryRun === "client") return;
        for (const [plan, policy] of passes)
          await carryOut(this.client, plan, {
            serverDryRun: this.dryRun === "server",
            denyInvalid: this.args["deny-invalid"] === true,
            waitMs: policy.command === "approve-serving" ? this.waitMs : undefined,
            caller,
            policy,
            now,
            onOutcome: (outcome) => {
              const line = outcomeLine(outcome);
              if (reported.get(outcome.name) === line) return;
              reported.set(outcome.name, line);
              io.out.write(`${line}\n`);
            },
          });
      },
    });
    return ExitCode.OK;
  }

  private printPlan(plan: Plan): void {
    const { io } = this.ctx;
    if (plan.reviews.length === 0) {
      if (plan.missing.length === 0) io.err.write("No pending kubelet serving CSRs found.\n");
      return;
    }
    io.out.write(renderPlanTable(plan, this.ctx.output === "wide", this.ctx.color, this.ctx.clock.now()));
    const cidrs = plan.serviceCidrs?.cidrs.join(",") || "unknown";
    io.out.write(`Service CIDR ${cidrs}, from ${plan.serviceCidrs?.source ?? "nowhere"}.\n`);
  }
}

export const approveServingCommand: CommandSpec = {
  command: "approve-serving [names..]",
  completeArgs: async (ctx) => ({ names: await pendingCsrNames(await connect(ctx), KUBELET_SERVING_SIGNER) }),
  describe:
    "Approve kubelet serving CSRs that provably belong to the node that filed them; explain every refusal",
  builder: (y) =>
    withPolicyFlags(
      y
        .positional("names", { type: "string", array: true, describe: "CSR names" })
        .option("all", { type: "boolean", default: false, describe: "Every pending kubelet serving CSR" })
        .option("dry-run", {
          type: "string",
          describe: 'Print the plan only ("client", or bare --dry-run), or send dryRun=All ("server")',
        })
        .option("deny-invalid", {
          type: "boolean",
          default: false,
          describe:
            "Deny the kubelet serving CSRs that fail a rule, with the reasons; default leaves them pending",
        })
        .option("wait", {
          type: "boolean",
          default: false,
          describe: "Wait for each certificate and check its SANs and validity against the plan",
        })
        .option("timeout", {
          type: "string",
          describe:
            "How long --wait waits (default 60s); with --watch, how long to keep watching (default: until stopped)",
        })
        .option("watch", {
          type: "boolean",
          default: false,
          describe: "Keep approving as nodes join and certificates rotate (with --all)",
        })
        .option("interval", {
          type: "string",
          default: "5s",
          describe: "With --watch, the time between passes",
        })
        .option("include-client", {
          type: "boolean",
          default: false,
          describe:
            "With --watch, also approve kubelet client CSRs by approve-client's rules (needs deploy/csr-approver/rbac-client.yaml in-cluster)",
        })
        .option("leader-elect", {
          type: "boolean",
          default: false,
          describe: "With --watch, act only while holding a Lease, so several replicas can run",
        })
        .option("leader-elect-namespace", {
          type: "string",
          describe: "Namespace of the Lease (default: $POD_NAMESPACE, else kubemend-system)",
        })
        .option("leader-elect-id", {
          type: "string",
          default: "kubemend-csr-approver",
          describe: "Name of the Lease",
        }),
    ),
  examples: [
    ["kubectl csr approve-serving --all", "Approve every pending kubelet serving CSR that passes every rule"],
    ["kubectl csr approve-serving --all --dry-run", "Only print the plan"],
    ["kubectl csr approve-serving csr-8x2kq --wait", "Approve one CSR and check the certificate issued"],
    [
      "kubectl csr approve-serving --all --watch --leader-elect",
      "Keep approving, as one of several replicas",
    ],
  ],
  create: (args, ctx) => new ApproveServing(args, ctx),
};
