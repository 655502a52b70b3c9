import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { palette } from "@kubemend/lib/output/color";
import { renderStructured } from "@kubemend/lib/output/format";
import { renderTable } from "@kubemend/lib/output/table";
import { withPlaintext } from "../archive/age.js";
import { readMetadata } from "../archive/metadata.js";
import { checkSnapshotFile } from "../archive/verify.js";
import type { ResourceDiff } from "../contents/diff.js";
import { resourceLabel } from "../contents/resource.js";
import { type EtcdctlFlags, etcdFlags } from "../etcd/discovery.js";
import { liveRevision } from "../etcd/live.js";
import { DEFAULT_MARGIN, type RestorePlan, restorePlan } from "../restore/plan.js";
import { decryptWith, withDecryptWith } from "./age-flags.js";
import { diffLive } from "./diff.js";
import { withEtcdFlags } from "./etcd-flags.js";
import { marginOf } from "./margin.js";
import { completeSnapshotFile } from "./snapshot-file.js";

/** What restoring the file does to the live keyspace (see `diff --live`). */
interface PlanChanges {
  headline: string;
  liveRevision: number;
  summary: ResourceDiff[];
}

/** restore-plan's flags, read once in complete(). */
interface RestorePlanOptions {
  file: string;
  margin: number;
  decryptWith?: string;
  etcd: EtcdctlFlags;
}

class RestorePlanCommand implements Command {
  private options!: RestorePlanOptions;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  complete(): void {
    const a = this.args;
    this.options = {
      file: String(a.file),
      margin: marginOf(a),
      decryptWith: decryptWith(a),
      etcd: etcdFlags(a, this.ctx.env),
    };
  }

  validate(): void {}

  async run(): Promise<ExitCode> {
    const { file } = this.options;
    return withPlaintext(
      file,
      this.options.decryptWith,
      (plain, encrypted) => this.plan(file, plain, encrypted),
      this.ctx.interrupt.signal,
    );
  }

  private async plan(file: string, plain: string, encrypted: boolean): Promise<ExitCode> {
    const metadata = await readMetadata(file);
    const checked = await checkSnapshotFile(plain, metadata);
    const live = await liveRevision(this.ctx, this.options.etcd, "always");
    const plan = restorePlan({
      file,
      snapshot: {
        revision: checked.status.revision,
        clusterId: metadata?.clusterId,
        time: metadata ? new Date(metadata.time) : undefined,
      },
      members: live.members,
      live: live.revision,
      now: this.ctx.clock.now(),
      margin: this.options.margin,
    });
    if (checked.problem !== undefined) plan.warnings.unshift(`DO NOT RESTORE THIS FILE: ${checked.problem}`);
    if (encrypted)
      plan.warnings.push(
        `${file} is encrypted with age: etcdutl cannot read it. Decrypt it first (age -d -i IDENTITY -o ${file}.plain ${file}) and give etcdutl the plaintext, or let \`kubectl etcdsnap restore --decrypt-with IDENTITY\` do it.`,
      );
    if (live.error !== undefined) plan.warnings.push(`The live revision is unknown: ${live.error}`);
    if (live.membersError !== undefined || live.members.length === 0)
      plan.warnings.push(
        `The etcd members are unknown (${live.membersError ?? "no etcd mirror pods"}): fill in each member's name, peer URL and data dir.`,
      );
    let changes: PlanChanges | undefined;
    if (live.revision !== undefined && checked.problem === undefined) {
      try {
        const d = await diffLive(plain, this.ctx, { etcd: this.options.etcd });
        changes = { headline: d.headline, liveRevision: d.b.revision, summary: d.summary };
      } catch (err) {
        plan.warnings.push(
          `What the restore rolls back is unknown: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    this.ctx.io.out.write(this.render({ ...plan, ...(changes && { changes }) }));
    return checked.problem === undefined ? ExitCode.OK : ExitCode.FINDINGS;
  }

  private render(plan: RestorePlan & { changes?: PlanChanges }): string {
    const { output } = this.ctx;
    if (output === "json" || output === "yaml") return renderStructured(plan, output);
    const c = palette(this.ctx.color);
    const lines = [c.bold(`Restore plan for ${plan.file}`), ""];
    for (const w of plan.warnings) lines.push(`${c.yellow("WARNING:")} ${w}`, "");
    if (plan.changes !== undefined)
      lines.push(
        c.bold(`Against the live etcd (revision ${plan.changes.liveRevision}), ${plan.changes.headline}.`),
        renderTable(
          plan.changes.summary,
          [
            { header: "RESOURCE", value: (s) => resourceLabel(s.group, s.resource) },
            { header: "DISAPPEAR", value: (s) => String(s.added) },
            { header: "COME BACK", value: (s) => String(s.removed) },
            { header: "REVERT", value: (s) => String(s.changed) },
          ],
          false,
        ).trimEnd(),
        "",
      );
    lines.push(`Revision bump: ${plan.bumpRevision} (${plan.bumpReason}), with --mark-compacted.`, "");
    plan.steps.forEach((step, i) => {
      lines.push(c.bold(`${i + 1}. [${step.where}] ${step.what}`));
      for (const cmd of step.commands) lines.push(`     ${cmd.replaceAll("\n", "\n     ")}`);
    });
    return `${lines.join("\n")}\n`;
  }
}

export const restorePlanCommand: CommandSpec = {
  command: "restore-plan <file>",
  completeArgs: completeSnapshotFile,
  describe: "The ordered restore steps for every member, with the revision bump, and what the restore undoes",
  outputs: ["table", "json", "yaml"],
  builder: (y) =>
    withDecryptWith(withEtcdFlags(y))
      .positional("file", { type: "string", describe: "The snapshot to restore" })
      .option("margin", {
        type: "number",
        default: DEFAULT_MARGIN,
        describe: "Revisions added to the bump for writes between now and the restore",
      }),
  examples: [
    [
      "kubectl etcdsnap restore-plan /var/backups/etcd/etcd-kubernetes-20240501T030405Z-rev123.db",
      "Plan a restore",
    ],
  ],
  create: (args, ctx) => new RestorePlanCommand(args, ctx),
};
