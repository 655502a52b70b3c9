import { type Palette, palette } from "@kubemend/lib/output/color";
import { formatDuration } from "@kubemend/lib/output/duration";
import { type Column, renderTable } from "@kubemend/lib/output/table";
import type { Sans } from "@kubemend/lib/x509/extensions";
import type { Outcome } from "../approval/carry-out.js";
import type { Plan } from "../approval/plan.js";
import type { Review } from "../policy/review.js";

export const CSR_RESOURCE = "certificatesigningrequest.certificates.k8s.io";

export function sansText(sans: Sans | undefined): string {
  if (!sans) return "<unparsable>";
  const all = [
    ...sans.dns.map((v) => `DNS:${v}`),
    ...sans.ip.map((v) => `IP:${v}`),
    ...sans.email.map((v) => `email:${v}`),
    ...sans.uri.map((v) => `URI:${v}`),
  ];
  return all.join(",") || "<none>";
}

export function verdictCell(review: Review, colors: Palette): string {
  if (review.verdict === "approve") return colors.green("Approve");
  if (review.verdict === "superseded") return colors.yellow("Superseded");
  return colors.red("Refuse");
}

export function reasonText(review: Review): string {
  if (review.verdict === "superseded") return `superseded by ${review.supersededBy}`;
  if (review.verdict === "approve") return "every rule holds";
  return review.violations.map((v) => `${v.rule}: ${v.message}`).join("; ");
}

export function age(created: string | undefined, now: Date): string {
  if (!created) return "<unknown>";
  return formatDuration(now.getTime() - Date.parse(created));
}

export function renderPlanTable(plan: Plan, wide: boolean, color: boolean, now: Date): string {
  const colors = palette(color);
  const columns: Column<Review>[] = [
    { header: "CSR", value: (r) => r.name },
    { header: "AGE", value: (r) => age(r.csr.metadata.creationTimestamp, now), wide: true },
    { header: "REQUESTOR", value: (r) => r.csr.spec.username ?? "", wide: true },
    { header: "NODE", value: (r) => r.node ?? "<none>" },
    { header: "SANS", value: (r) => sansText(r.sans) },
    { header: "VERDICT", value: (r) => verdictCell(r, colors) },
    { header: "REASON", value: reasonText },
  ];
  return renderTable(plan.reviews, columns, wide);
}

/** One line per CSR, in kubectl's "<resource>/<name> <what happened>" form. */
export function outcomeLine(outcome: Outcome): string {
  const dryRun = outcome.serverDryRun ? " (server dry run)" : "";
  return `${CSR_RESOURCE}/${outcome.name} ${outcome.message}${dryRun}`;
}

export const PLAN_API_VERSION = "kubemend.io/v1";

/** The -o json/yaml document: the plan and, unless it was a client dry run, what happened. */
export function planDocument(
  plan: Plan,
  meta: { dryRun: string; caller?: string; kind?: "ServingCsrApproval" | "ClientCsrApproval" },
  outcomes: readonly Outcome[] | undefined,
) {
  const byName = new Map((outcomes ?? []).map((o) => [o.name, o]));
  return {
    apiVersion: PLAN_API_VERSION,
    kind: meta.kind ?? "ServingCsrApproval",
    dryRun: meta.dryRun,
    caller: meta.caller,
    ...(plan.serviceCidrs && { serviceCidrs: plan.serviceCidrs }),
    items: plan.reviews.map((r) => ({
      name: r.name,
      node: r.node ?? null,
      signerName: r.csr.spec.signerName,
      requestor: r.csr.spec.username ?? null,
      resourceVersion: r.csr.metadata.resourceVersion,
      sans: r.sans ?? null,
      verdict: r.verdict,
      violations: r.violations,
      ...(r.supersededBy && { supersededBy: r.supersededBy }),
      ...(byName.has(r.name) && { outcome: byName.get(r.name) }),
    })),
    missing: plan.missing,
  };
}
