import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { connect } from "@kubemend/lib/kube/connect";
import { palette } from "@kubemend/lib/output/color";
import { renderStructured } from "@kubemend/lib/output/format";
import { type Column, renderTable } from "@kubemend/lib/output/table";
import { collectReviewContext, type ReviewSettings } from "../collect/context.js";
import { listCsrs } from "../collect/csrs.js";
import { decodeRequest } from "../policy/request.js";
import { approvedCsr, type Review, reviewCsr, supersede } from "../policy/review.js";
import { isPending } from "../policy/state.js";
import { type CertificateSigningRequest, KUBELET_SERVING_SIGNER } from "../policy/types.js";
import { age, reasonText, sansText, verdictCell } from "../report/plan.js";
import { policySettings, withPolicyFlags } from "./policy-flags.js";

interface Row {
  csr: CertificateSigningRequest;
  cn: string;
  sans: string;
  condition: string;
  /** What approve-serving would do: pending kubelet serving CSRs only. */
  review?: Review;
}

/** kubectl get csr's CONDITION column: "Approved,Issued", "Denied", "Pending". */
export function conditionText(csr: CertificateSigningRequest): string {
  const types = (csr.status?.conditions ?? [])
    .filter((c) => (c.status ?? "True") === "True")
    .map((c) => c.type);
  if (csr.status?.certificate) types.push("Issued");
  return types.length > 0 ? types.join(",") : "Pending";
}

function isPendingServing(csr: CertificateSigningRequest): boolean {
  return csr.spec.signerName === KUBELET_SERVING_SIGNER && isPending(csr);
}

class List implements Command {
  private client!: KubeClient;
  private settings!: ReviewSettings;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  async complete(): Promise<void> {
    this.client = await connect(this.ctx);
  }

  validate(): void {
    this.settings = policySettings(this.args);
  }

  async run(): Promise<ExitCode> {
    const rows: Row[] = [];
    const signerName = typeof this.args.signer === "string" ? this.args.signer : undefined;
    for await (const csr of listCsrs(this.client, { signerName, pendingOnly: this.args.pending === true })) {
      const request = decodeRequest(csr);
      rows.push({
        csr,
        cn: request.ok ? (request.csr.subject.cn ?? "") : "<unparsable>",
        sans: sansText(request.ok ? request.csr.sans : undefined),
        condition: conditionText(csr),
      });
    }
    const serving = rows.filter((r) => isPendingServing(r.csr));
    if (serving.length > 0) {
      const context = await collectReviewContext(
        this.client,
        serving.map((r) => r.csr),
        this.settings,
      );
      const approved = rows
        .filter((r) => r.csr.spec.signerName === KUBELET_SERVING_SIGNER)
        .map((r) => approvedCsr(r.csr))
        .filter((a) => a !== undefined);
      const reviews = supersede(
        serving.map((r) => reviewCsr(r.csr, context)),
        approved,
      );
      for (const [i, row] of serving.entries()) row.review = reviews[i];
    }
    this.ctx.io.out.write(this.render(rows));
    return ExitCode.OK;
  }

  private render(rows: Row[]): string {
    const { output } = this.ctx;
    if (output === "json" || output === "yaml")
      return renderStructured(
        {
          apiVersion: "kubemend.io/v1",
          kind: "CsrList",
          items: rows.map((r) => ({
            name: r.csr.metadata.name,
            creationTimestamp: r.csr.metadata.creationTimestamp,
            signerName: r.csr.spec.signerName,
            requestor: r.csr.spec.username,
            cn: r.cn,
            sans: r.sans,
            condition: r.condition,
            ...(r.review && {
              verdict: r.review.verdict,
              violations: r.review.violations,
              ...(r.review.supersededBy && { supersededBy: r.review.supersededBy }),
            }),
          })),
        },
        output,
      );
    if (rows.length === 0) {
      this.ctx.io.err.write("No CSRs found.\n");
      return "";
    }
    const colors = palette(this.ctx.color);
    const now = this.ctx.clock.now();
    const columns: Column<Row>[] = [
      { header: "NAME", value: (r) => r.csr.metadata.name },
      { header: "AGE", value: (r) => age(r.csr.metadata.creationTimestamp, now) },
      { header: "SIGNER", value: (r) => r.csr.spec.signerName },
      { header: "REQUESTOR", value: (r) => r.csr.spec.username ?? "" },
      { header: "CN", value: (r) => r.cn },
      { header: "SANS", value: (r) => r.sans },
      { header: "CONDITION", value: (r) => r.condition },
      { header: "VERDICT", value: (r) => (r.review ? verdictCell(r.review, colors) : "-") },
      { header: "REASON", value: (r) => (r.review ? reasonText(r.review) : ""), wide: true },
    ];
    return renderTable(rows, columns, output === "wide");
  }
}

export const listCommand: CommandSpec = {
  command: "list",
  describe: "List CSRs, with the verdict approve-serving would give each pending kubelet serving CSR",
  builder: (y) =>
    withPolicyFlags(
      y
        .option("pending", { type: "boolean", default: false, describe: "Only CSRs with no decision yet" })
        .option("signer", { type: "string", describe: "Only CSRs for this signer (spec.signerName)" }),
    ),
  examples: [["kubectl csr list --pending -o wide", "Pending CSRs, with the reasons behind each verdict"]],
  create: (args, ctx) => new List(args, ctx),
};
