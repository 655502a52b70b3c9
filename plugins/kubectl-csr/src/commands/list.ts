import type { CommandSpec } from "@kubemend/lib/cli/app";
import { type DryRun, parseDryRun } from "@kubemend/lib/cli/dry-run";
import { UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { KubeCommand } from "@kubemend/lib/cli/kube-command";
import { serverSideApply } from "@kubemend/lib/kube/apply";
import {
  BOOTSTRAP_BINDINGS,
  type BootstrapRbacNote,
  bootstrapRbacNotes,
  checkBootstrapRbac,
} from "@kubemend/lib/kube/bootstrap-rbac";
import { palette } from "@kubemend/lib/output/color";
import { renderStructured } from "@kubemend/lib/output/format";
import { type Column, renderTable } from "@kubemend/lib/output/table";
import { planApprovals } from "../approval/plan.js";
import type { ReviewSettings } from "../collect/context.js";
import { listCsrs } from "../collect/csrs.js";
import { CLUSTER_ROLE_BINDINGS } from "../collect/refs.js";
import { decodeRequest } from "../policy/request.js";
import type { Review } from "../policy/review.js";
import { isPending } from "../policy/state.js";
import {
  type CertificateSigningRequest,
  KUBELET_CLIENT_SIGNER,
  KUBELET_SERVING_SIGNER,
} from "../policy/types.js";
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

/** csr list's flags, read once in complete(). */
interface ListOptions {
  settings: ReviewSettings;
  dryRun: DryRun;
  fixRbac: boolean;
  signer?: string;
  pending: boolean;
}

class List extends KubeCommand<ListOptions> {
  protected readOptions(args: Record<string, unknown>): ListOptions {
    return {
      settings: policySettings(args),
      dryRun: parseDryRun(args["dry-run"]),
      fixRbac: args["fix-rbac"] === true,
      ...(typeof args.signer === "string" && { signer: args.signer }),
      pending: args.pending === true,
    };
  }

  override validate(): void {
    if (this.options.dryRun !== "none" && !this.options.fixRbac)
      throw new UsageError("--dry-run goes with --fix-rbac", "see 'kubectl csr list --help'");
  }

  async run(): Promise<ExitCode> {
    const rows: Row[] = [];
    const { signer: signerName, pending } = this.options;
    for await (const csr of listCsrs(this.client, { signerName, pendingOnly: pending })) {
      const request = decodeRequest(csr);
      rows.push({
        csr,
        cn: request.ok ? (request.csr.subject.cn ?? "") : "<unparsable>",
        sans: sansText(request.ok ? request.csr.sans : undefined),
        condition: conditionText(csr),
      });
    }
    // The verdicts are approve-serving's own plan, over every serving CSR whatever the filters.
    if (rows.some((r) => isPendingServing(r.csr))) {
      const plan = await planApprovals(this.client, { all: true }, this.options.settings);
      const byName = new Map(plan.reviews.map((r) => [r.name, r]));
      for (const row of rows) if (isPendingServing(row.csr)) row.review = byName.get(row.csr.metadata.name);
    }
    const now = this.ctx.clock.now().getTime();
    const pendingClientAges = rows
      .filter((r) => r.csr.spec.signerName === KUBELET_CLIENT_SIGNER && isPending(r.csr))
      .map((r) => now - Date.parse(r.csr.metadata.creationTimestamp ?? ""));
    const notes = await this.bootstrapRbac(pendingClientAges);
    this.ctx.io.out.write(this.render(rows, notes));
    if (this.options.fixRbac) await this.fixRbac();
    return ExitCode.OK;
  }

  /** Why kubelet client CSRs may sit Pending; undefined when the caller may not ask (one warning). */
  private async bootstrapRbac(pendingClientAges: number[]): Promise<BootstrapRbacNote[] | undefined> {
    try {
      return bootstrapRbacNotes(await checkBootstrapRbac(this.client), pendingClientAges);
    } catch (err) {
      this.ctx.io.err.write(`warning: TLS-bootstrap RBAC not checked: ${(err as Error).message}\n`);
      return undefined;
    }
  }

  /** kubeadm's three TLS-bootstrap ClusterRoleBindings, server-side applied, shown as they go. */
  private async fixRbac(): Promise<void> {
    const serverDryRun = this.options.dryRun === "server";
    for (const b of BOOTSTRAP_BINDINGS) {
      const body = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: b.binding },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: b.clusterRole },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: b.group }],
      };
      const what = `clusterrolebinding.rbac.authorization.k8s.io/${b.binding} (${b.clusterRole} for ${b.group})`;
      if (this.options.dryRun === "client") {
        this.ctx.io.out.write(`${what} serverside-applied (dry run)\n`);
        continue;
      }
      await serverSideApply(this.client, { ...CLUSTER_ROLE_BINDINGS, name: b.binding }, body, {
        fieldManager: "kubectl-csr",
        serverDryRun,
      });
      this.ctx.io.out.write(`${what} serverside-applied${serverDryRun ? " (server dry run)" : ""}\n`);
    }
  }

  private render(rows: Row[], notes: BootstrapRbacNote[] | undefined): string {
    const { output } = this.ctx;
    if (output === "json" || output === "yaml")
      return renderStructured(
        {
          apiVersion: "kubemend.io/v1",
          kind: "CsrList",
          ...(notes && { bootstrapRbac: notes }),
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
    const rbac = (notes ?? []).map(
      (n) =>
        `${n.severity === "warning" ? "WARNING" : "INFO"}: TLS bootstrap: ${n.message}\n  fix: ${n.fix}\n`,
    );
    if (rows.length === 0) {
      this.ctx.io.err.write("No CSRs found.\n");
      return rbac.join("");
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
    return `${renderTable(rows, columns, output === "wide")}${rbac.length > 0 ? `\n${rbac.join("")}` : ""}`;
  }
}

export const listCommand: CommandSpec = {
  command: "list",
  describe:
    "List CSRs, with the verdict approve-serving would give each pending kubelet serving CSR, and the TLS-bootstrap RBAC that kubelet client CSRs need",
  builder: (y) =>
    withPolicyFlags(
      y
        .option("pending", { type: "boolean", default: false, describe: "Only CSRs with no decision yet" })
        .option("signer", { type: "string", describe: "Only CSRs for this signer (spec.signerName)" })
        .option("fix-rbac", {
          type: "boolean",
          default: false,
          describe:
            "Apply kubeadm's three TLS-bootstrap ClusterRoleBindings (server-side apply): filing CSRs, auto-approving first client certificates, and renewals",
        })
        .option("dry-run", {
          type: "string",
          describe:
            'With --fix-rbac: print only ("client", or bare --dry-run), or send dryRun=All ("server")',
        }),
    ),
  examples: [
    ["kubectl csr list --pending -o wide", "Pending CSRs, with the reasons behind each verdict"],
    [
      "kubectl csr list --fix-rbac --dry-run=server",
      "Show kubeadm's TLS-bootstrap bindings and check them with the API server",
    ],
  ],
  create: (args, ctx) => new List(args, ctx),
};
