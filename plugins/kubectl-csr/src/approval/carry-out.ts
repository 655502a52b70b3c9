import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { mapLimit } from "@kubemend/lib/concurrency";
import type { KubeClient } from "@kubemend/lib/kube/client";
import type { Review } from "../policy/review.js";
import type { Violation } from "../policy/types.js";
import { condition, REASONS } from "./conditions.js";
import { type DecisionResult, decide } from "./decide.js";
import { checkIssued, type IssuedSummary } from "./issued.js";
import type { Plan } from "./plan.js";
import type { ApprovalPolicy } from "./policy.js";
import { waitForCertificate } from "./wait.js";

export type OutcomeResult = "approved" | "denied" | "pending" | "failed" | "issued" | "not-found";

export interface Outcome {
  name: string;
  result: OutcomeResult;
  message: string;
  serverDryRun?: boolean;
  /** 409s met on the way: each one meant reading the CSR again and checking it anew. */
  conflicts?: number;
  issued?: IssuedSummary;
}

export interface CarryOutOptions {
  serverDryRun: boolean;
  denyInvalid: boolean;
  /** Wait for each approved CSR's certificate, this long at most; undefined does not wait. */
  waitMs?: number;
  caller: string;
  policy: ApprovalPolicy;
  now: () => Date;
  /** Called as each CSR's outcome is known, in the order they finish. */
  onOutcome(outcome: Outcome): void;
}

/** How many approvals are in flight at once: enough to be quick, few enough not to hit the API server's limits. */
const CONCURRENCY = 8;

export function violationText(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.rule}: ${v.message}`).join("; ");
}

function failedWrite(
  name: string,
  verb: string,
  result: Exclude<DecisionResult, { written: true }>,
): Outcome {
  const message =
    result.why === "changed"
      ? `changed since it was checked and now fails: ${result.message}`
      : result.message;
  return { name, result: "failed", message: `not ${verb}: ${message}`, conflicts: result.conflicts };
}

/** Approves the approvable CSRs of a plan (and denies the others with --deny-invalid), each on its own. */
export async function carryOut(client: KubeClient, plan: Plan, options: CarryOutOptions): Promise<Outcome[]> {
  const approveText = options.policy.approveText(options.caller, plan);
  const outcomes = await mapLimit(plan.reviews, CONCURRENCY, async (review) => {
    // One CSR's failure (a dropped connection while rechecking, say) never stops the others.
    const outcome = await decideOne(client, plan, review, approveText, options).catch(
      (err: Error): Outcome => ({
        name: review.name,
        result: "failed",
        message: `not decided: ${err.message}`,
      }),
    );
    options.onOutcome(outcome);
    return outcome;
  });
  const missing = plan.missing.map((name) => {
    const outcome: Outcome = { name, result: "not-found", message: "not found" };
    options.onOutcome(outcome);
    return outcome;
  });
  return [...outcomes, ...missing];
}

async function decideOne(
  client: KubeClient,
  plan: Plan,
  review: Review,
  approveText: string,
  options: CarryOutOptions,
): Promise<Outcome> {
  const { name } = review;
  const serverDryRun = options.serverDryRun || undefined;
  if (review.verdict === "superseded")
    return { name, result: "pending", message: `left pending: superseded by ${review.supersededBy}` };
  if (review.verdict === "refuse") {
    const decided = review.violations.some((v) => v.rule === "state");
    const ours = review.csr.spec.signerName === options.policy.signerName;
    if (!options.denyInvalid || decided || !ours)
      return {
        name,
        result: "pending",
        message: `${decided ? "left as it is" : "left pending"}: ${violationText(review.violations)}`,
      };
    const text = `denied by ${options.caller} with kubectl csr ${options.policy.command}: ${violationText(review.violations)}`;
    const result = await decide(
      client,
      review.csr,
      condition("Denied", REASONS["deny-invalid"], text, options.now()),
      {
        serverDryRun: options.serverDryRun,
        recheck: async (fresh) => {
          const again = await options.policy.reReview(client, fresh, plan);
          if (again.verdict === "approve") return "it now passes every rule; rerun to approve it";
          if (again.violations.some((v) => v.rule === "state")) return violationText(again.violations);
          return undefined;
        },
      },
    );
    if (!result.written) return failedWrite(name, "denied", result);
    return {
      name,
      result: "denied",
      message: `denied: ${violationText(review.violations)}`,
      serverDryRun,
      conflicts: result.conflicts,
    };
  }
  const result = await decide(
    client,
    review.csr,
    condition("Approved", REASONS[options.policy.command], approveText, options.now()),
    {
      serverDryRun: options.serverDryRun,
      recheck: async (fresh) => {
        const again = await options.policy.reReview(client, fresh, plan);
        return again.verdict === "approve" ? undefined : violationText(again.violations);
      },
    },
  );
  if (!result.written) return failedWrite(name, "approved", result);
  const approved: Outcome = {
    name,
    result: "approved",
    message: "approved",
    serverDryRun,
    conflicts: result.conflicts,
  };
  if (options.waitMs === undefined || options.serverDryRun) return approved;
  return waitAndCheck(client, review, approved, options);
}

async function waitAndCheck(
  client: KubeClient,
  review: Review,
  approved: Outcome,
  options: CarryOutOptions,
): Promise<Outcome> {
  const waited = await waitForCertificate(client, review.name, options.waitMs ?? 0);
  if (waited.state === "timeout")
    return { ...approved, result: "failed", message: "approved, but no certificate was issued in time" };
  if (waited.state === "failed")
    return { ...approved, result: "failed", message: `approved, but ${waited.message}` };
  const issued = checkIssued(
    waited.certificatePem,
    {
      sans: review.sans ?? { dns: [], ip: [], email: [], uri: [] },
      expirationSeconds: review.csr.spec.expirationSeconds,
      maxExpirationSeconds: options.policy.maxExpirationSeconds,
    },
    options.now(),
  );
  if (issued.problems.length > 0)
    return {
      ...approved,
      result: "failed",
      message: `issued, but not as approved: ${issued.problems.join("; ")}`,
      issued,
    };
  return { ...approved, result: "issued", message: `issued, valid until ${issued.notAfter}`, issued };
}

/**
 * approve-serving's and approve-client's exit code: 1 when a CSR that passed could not be approved
 * (or its certificate is not what was approved) and, when CSRs were named, when any of them was
 * not approved.
 */
export function approvalExitCode(
  plan: Plan,
  outcomes: readonly Outcome[] | undefined,
  named: boolean,
): ExitCode {
  if (named && (plan.missing.length > 0 || plan.reviews.some((r) => r.verdict !== "approve")))
    return ExitCode.FINDINGS;
  return outcomes?.some((o) => o.result === "failed") ? ExitCode.FINDINGS : ExitCode.OK;
}
