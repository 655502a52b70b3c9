import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { type DryRun, parseDryRun } from "@kubemend/lib/cli/dry-run";
import { UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { KubeCommand } from "@kubemend/lib/cli/kube-command";
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

/** approve-serving's flags, read once in complete(); validate() checks them, run() uses them. */
export interface ApproveServingOptions {
  names: string[];
  all: boolean;
  dryRun: DryRun;
  settings: ReviewSettings;
  denyInvalid: boolean;
  wait: boolean;
  /** --timeout: how long --wait waits, or how long --watch watches. */
  timeoutMs?: number;
  watch: boolean;
  intervalMs: number;
  includeClient: boolean;
  leaderElect: boolean;
  /** The Lease's namespace and name, with the environment's defaults applied. */
  lease: { namespace: string; name: string };
  output: string;
}

export function approveServingOptions(
  args: Record<string, unknown>,
  ctx: Pick<CommandContext, "env" | "output">,
): ApproveServingOptions {
  const text = (name: string) => (typeof args[name] === "string" ? (args[name] as string) : undefined);
  return {
    names: ((args.names as unknown[] | undefined) ?? []).map(String),
    all: args.all === true,
    dryRun: parseDryRun(args["dry-run"]),
    settings: policySettings(args),
    denyInvalid: args["deny-invalid"] === true,
    wait: args.wait === true,
    timeoutMs: args.timeout === undefined ? undefined : parseTimeout(args.timeout),
    watch: args.watch === true,
    intervalMs: parseTimeout(args.interval ?? "5s"),
    includeClient: args["include-client"] === true,
    leaderElect: args["leader-elect"] === true,
    lease: {
      namespace: text("leader-elect-namespace") || ctx.env.POD_NAMESPACE || "kubemend-system",
      name: text("leader-elect-id") ?? "kubemend-csr-approver",
    },
    output: ctx.output,
  };
}

/** The rules between flags; one UsageError line for the first that is broken. */
export function validateApproveServing(o: ApproveServingOptions): void {
  if (o.all && o.names.length > 0)
    throw new UsageError("name CSRs or use --all, not both", "see 'kubectl csr approve-serving --help'");
  if (!o.all && o.names.length === 0)
    throw new UsageError(
      "no CSRs named",
      "name the CSRs to approve, or use --all for every pending kubelet serving CSR",
    );
  if (o.watch) {
    if (!o.all)
      throw new UsageError("--watch works on every pending kubelet serving CSR", "use --watch with --all");
    if (o.output !== "table" && o.output !== "wide")
      throw new UsageError("--watch prints one line per outcome", "leave out -o with --watch");
  } else if (o.leaderElect) {
    throw new UsageError("--leader-elect needs --watch");
  }
  if (o.includeClient && !o.watch)
    throw new UsageError(
      "--include-client works with --watch",
      "outside --watch, use kubectl csr approve-client",
    );
}

class ApproveServing extends KubeCommand<ApproveServingOptions> {
  protected readOptions(args: Record<string, unknown>, ctx: CommandContext): ApproveServingOptions {
    return approveServingOptions(args, ctx);
  }

  override validate(): void {
    validateApproveServing(this.options);
  }

  /** How long --wait waits for each certificate. */
  private get waitMs(): number | undefined {
    return this.options.wait ? (this.options.timeoutMs ?? 60_000) : undefined;
  }

  async run(): Promise<ExitCode> {
    const { io } = this.ctx;
    const structured = this.ctx.output === "json" || this.ctx.output === "yaml";
    const o = this.options;
    if (o.dryRun !== "client") {
      await preflightApproval(this.client, "approve");
      if (o.includeClient)
        await preflightApproval(this.client, "approve", approvalAccess(KUBELET_CLIENT_SIGNER));
    }
    if (o.watch) return this.watch();
    const plan = await planApprovals(this.client, o.all ? { all: true } : { names: o.names }, o.settings);
    const caller = await callerName(this.client);
    if (!structured) this.printPlan(plan);
    let outcomes: Outcome[] | undefined;
    if (o.dryRun !== "client") {
      outcomes = await carryOut(this.client, plan, {
        serverDryRun: o.dryRun === "server",
        denyInvalid: o.denyInvalid,
        waitMs: this.waitMs,
        caller,
        policy: servingPolicy(o.settings),
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
          planDocument(plan, { dryRun: o.dryRun, caller }, outcomes),
          this.ctx.output as "json" | "yaml",
        ),
      );
    return approvalExitCode(plan, outcomes, !o.all);
  }

  /** Approval passes until --timeout or SIGTERM/SIGINT; with --leader-elect only on the leading replica. */
  private async watch(): Promise<ExitCode> {
    const { io } = this.ctx;
    const o = this.options;
    const caller = await callerName(this.client);
    // The loop ends at the signal and releases its lease (a rollout's SIGTERM), so the process
    // must not end with it.
    this.ctx.interrupt.windDown();
    const identity = this.ctx.env.POD_NAME || `${hostname()}_${randomBytes(4).toString("hex")}`;
    const elector = o.leaderElect
      ? new LeaderElector(this.client, {
          namespace: o.lease.namespace,
          name: o.lease.name,
          identity,
          // Renewed every pass, so the lease must outlast a few of them (client-go's default is 15s).
          durationSeconds: Math.max(15, Math.ceil((3 * o.intervalMs) / 1000)),
        })
      : undefined;
    // Only a change is worth a line: a CSR left pending is not reported again every round.
    const reported = new Map<string, string>();
    await watchLoop({
      intervalMs: o.intervalMs,
      deadline: o.timeoutMs === undefined ? undefined : Date.now() + o.timeoutMs,
      signal: this.ctx.interrupt.signal,
      elector,
      now: () => this.ctx.clock.now(),
      log: (line) => io.err.write(`${line}\n`),
      changes: (notice) => {
        const csrs = new Informer(
          this.client,
          { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" },
          o.includeClient ? {} : { fieldSelector: `spec.signerName=${KUBELET_SERVING_SIGNER}` },
          (type) => {
            if (type !== "DELETED") notice();
          },
        );
        return () => csrs.stop();
      },
      pass: async () => {
        const now = () => this.ctx.clock.now();
        const passes: [Plan, ApprovalPolicy][] = [
          [await planApprovals(this.client, { all: true }, o.settings), servingPolicy(o.settings)],
        ];
        if (o.includeClient)
          passes.push([
            await planClientApprovals(this.client, { all: true }, CLIENT_DEFAULTS, now()),
            clientPolicy(CLIENT_DEFAULTS, now),
          ]);
        const current = new Set(passes.flatMap(([plan]) => plan.reviews.map((r) => r.name)));
        for (const name of reported.keys()) if (!current.has(name)) reported.delete(name);
        if (o.dryRun === "client") return;
        for (const [plan, policy] of passes)
          await carryOut(this.client, plan, {
            serverDryRun: o.dryRun === "server",
            denyInvalid: o.denyInvalid,
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
