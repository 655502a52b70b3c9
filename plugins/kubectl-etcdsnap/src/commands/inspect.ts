import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { palette } from "@kubemend/lib/output/color";
import { renderStructured } from "@kubemend/lib/output/format";
import { renderTable } from "@kubemend/lib/output/table";
import { withPlaintext } from "../archive/age.js";
import { type Inspection, inspectSnapshot } from "../contents/inspect.js";
import { resourceLabel } from "../contents/resource.js";
import { formatBytes } from "../report/units.js";
import { decryptWith, withDecryptWith } from "./age-flags.js";
import { completeSnapshotFile, readingSnapshot } from "./snapshot-file.js";

const DEFAULT_TOP = 10;

/** etcdsnap inspect's flags, read once in complete(). */
interface InspectOptions {
  file: string;
  top: number;
  prefix: string;
  decryptWith?: string;
}

class Inspect implements Command {
  private options!: InspectOptions;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  complete(): void {
    const a = this.args;
    const top = Number(a.top ?? DEFAULT_TOP);
    if (!Number.isSafeInteger(top) || top < 0)
      throw new UsageError(`--top must be a whole number, not "${String(a.top)}"`);
    this.options = { file: String(a.file), top, prefix: String(a.prefix), decryptWith: decryptWith(a) };
  }

  validate(): void {}

  async run(): Promise<ExitCode> {
    const { file, top, prefix } = this.options;
    const report = await withPlaintext(
      file,
      this.options.decryptWith,
      async (plain) => ({
        ...(await readingSnapshot(file, () => inspectSnapshot(plain, top, prefix))),
        file,
      }),
      this.ctx.interrupt.signal,
    );
    const { output } = this.ctx;
    this.ctx.io.out.write(
      output === "json" || output === "yaml" ? renderStructured(report, output) : this.render(report),
    );
    return report.problems === 0 ? ExitCode.OK : ExitCode.FINDINGS;
  }

  private render(r: Inspection): string {
    const c = palette(this.ctx.color);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const out: string[] = [
      c.bold(`Snapshot ${r.file}`),
      `Revision ${r.revision}; ${r.totalKeys} live keys (${formatBytes(r.totalBytes)}) in ${r.revisions} stored revisions`,
      `Compaction: ${compaction(r)}`,
      `Events: ${r.events.keys} keys (${pct(r.events.keyShare)} of keys, ${pct(r.events.byteShare)} of bytes)`,
      `Secrets: ${r.secrets.total}, ${r.secrets.encrypted} encrypted at rest (${pct(r.secrets.share)})${
        r.secrets.providers.length > 0
          ? `: ${r.secrets.providers.map((p) => `${p.provider} ${p.keys}`).join(", ")}`
          : ""
      }`,
    ];
    if (r.problems > 0) out.push(c.red(`${r.problems} entries of the key bucket cannot be read by etcd`));
    out.push("", c.bold("Members"));
    out.push(
      r.members.length === 0
        ? "(none stored)"
        : renderTable(
            r.members,
            [
              { header: "ID", value: (m) => m.id },
              { header: "NAME", value: (m) => m.name },
              { header: "PEER URLS", value: (m) => m.peerURLs.join(",") },
              { header: "CLIENT URLS", value: (m) => m.clientURLs.join(",") },
              { header: "LEARNER", value: (m) => String(m.isLearner) },
            ],
            false,
          ).trimEnd(),
    );
    out.push("", c.bold("Resources"));
    out.push(
      renderTable(
        r.resources,
        [
          { header: "RESOURCE", value: (x) => resourceLabel(x.group, x.resource) },
          { header: "KEYS", value: (x) => String(x.keys) },
          { header: "BYTES", value: (x) => formatBytes(x.bytes) },
        ],
        false,
      ).trimEnd(),
    );
    out.push("", c.bold(`Namespaces with the most objects (top ${this.options.top})`));
    out.push(
      renderTable(
        r.namespaces,
        [
          { header: "NAMESPACE", value: (x) => x.namespace },
          { header: "OBJECTS", value: (x) => String(x.objects) },
          { header: "BYTES", value: (x) => formatBytes(x.bytes) },
        ],
        false,
      ).trimEnd(),
    );
    out.push("", c.bold(`Largest keys (top ${this.options.top})`));
    out.push(
      renderTable(
        r.largest,
        [
          { header: "BYTES", value: (x) => formatBytes(x.bytes) },
          { header: "KEY", value: (x) => x.key },
        ],
        false,
      ).trimEnd(),
    );
    return `${out.join("\n")}\n`;
  }
}

function compaction(r: Inspection): string {
  const { scheduled, finished, pending } = r.compaction;
  if (scheduled === null && finished === null) return "never compacted";
  if (pending)
    return `compaction to ${scheduled} scheduled, not finished (last finished: ${finished ?? "none"})`;
  return `compacted at revision ${finished}`;
}

export const inspectCommand: CommandSpec = {
  command: "inspect <file>",
  completeArgs: completeSnapshotFile,
  describe:
    "What a snapshot holds: keys and bytes per resource, busiest namespaces, Events, Secret encryption, members, compaction, largest keys (values are never printed)",
  outputs: ["table", "json", "yaml"],
  builder: (y) =>
    withDecryptWith(y)
      .positional("file", { type: "string", describe: "The snapshot file" })
      .option("top", {
        type: "number",
        default: DEFAULT_TOP,
        describe: "How many namespaces and keys to list",
      })
      .option("prefix", {
        type: "string",
        default: "/registry/",
        describe: "kube-apiserver's --etcd-prefix, with a trailing slash",
      }),
  examples: [["kubectl etcdsnap inspect snap.db --top 5", "Where the space goes in a snapshot"]],
  create: (args, ctx) => new Inspect(args, ctx),
};
