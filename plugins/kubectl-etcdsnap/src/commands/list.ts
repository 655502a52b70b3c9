import path from "node:path";
import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { existingDirectory } from "@kubemend/lib/fs/directory";
import { palette } from "@kubemend/lib/output/color";
import { formatDuration } from "@kubemend/lib/output/duration";
import { renderStructured } from "@kubemend/lib/output/format";
import { type Column, renderTable } from "@kubemend/lib/output/table";
import { type CatalogEntry, readCatalog, verifyEntry } from "../archive/catalog.js";
import { formatBytes } from "../report/units.js";
import { decryptWith, withDecryptWith } from "./age-flags.js";

/** etcdsnap list's flags, read once in complete(). */
interface ListOptions {
  dir: string;
  verify: boolean;
  decryptWith?: string;
}

class List implements Command {
  private options!: ListOptions;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  complete(): void {
    const a = this.args;
    this.options = {
      dir: path.resolve(typeof a.dir === "string" ? a.dir : "."),
      verify: a.verify === true,
      decryptWith: decryptWith(a),
    };
  }

  validate(): void {
    existingDirectory(this.options.dir, "--dir", "create it first, or pass another --dir");
  }

  async run(): Promise<ExitCode> {
    const { dir, verify, decryptWith: identity } = this.options;
    let entries = await readCatalog(dir);
    if (verify)
      entries = await Promise.all(entries.map((e) => verifyEntry(e, identity, this.ctx.interrupt.signal)));
    this.ctx.io.out.write(this.render(entries));
    return entries.some((e) => e.state === "failed") ? ExitCode.FINDINGS : ExitCode.OK;
  }

  private render(entries: CatalogEntry[]): string {
    const { output } = this.ctx;
    if (output === "json" || output === "yaml")
      return renderStructured(
        {
          apiVersion: "kubemend.io/v1",
          kind: "EtcdSnapshotList",
          items: entries.map((e) => ({
            path: e.path,
            time: e.time.toISOString(),
            size: e.size,
            state: e.state,
            ...(e.problem !== undefined && { problem: e.problem }),
            ...(e.note !== undefined && { note: e.note }),
            encrypted: e.encrypted,
            revision: e.metadata?.revision ?? null,
            ...(e.metadata && { metadata: e.metadata }),
          })),
        },
        output,
      );
    if (entries.length === 0) {
      this.ctx.io.err.write(`No snapshots in ${this.options.dir}.\n`);
      return "";
    }
    const now = this.ctx.clock.now();
    const c = palette(this.ctx.color);
    const columns: Column<CatalogEntry>[] = [
      { header: "NAME", value: (e) => e.name },
      { header: "AGE", value: (e) => formatDuration(now.getTime() - e.time.getTime()) },
      { header: "REVISION", value: (e) => String(e.metadata?.revision ?? "-") },
      { header: "SIZE", value: (e) => formatBytes(e.size) },
      { header: "ENCRYPTED", value: (e) => (e.encrypted ? "age" : "no") },
      { header: "VERIFIED", value: (e) => stateCell(e, c) },
      { header: "MEMBER", value: (e) => e.metadata?.memberName ?? e.metadata?.memberId ?? "-", wide: true },
      { header: "KUBERNETES", value: (e) => e.metadata?.kubernetesVersion ?? "-", wide: true },
      { header: "SHA256", value: (e) => e.metadata?.sha256.slice(0, 16) ?? "-", wide: true },
    ];
    return renderTable(entries, columns, output === "wide");
  }
}

function stateCell(e: CatalogEntry, c: ReturnType<typeof palette>): string {
  switch (e.state) {
    case "verified":
      return e.note === undefined ? c.green("yes") : c.green(`yes (${e.note})`);
    case "saved":
      return "at save (--verify rechecks)";
    case "failed":
      return c.red(`FAILED: ${e.problem ?? ""}`);
    default:
      return c.yellow(e.problem === undefined ? "unknown (--verify checks)" : `unknown: ${e.problem}`);
  }
}

export const listCommand: CommandSpec = {
  command: "list",
  describe: "Snapshots in a directory with age, revision, size and verified state",
  builder: (y) =>
    withDecryptWith(y)
      .option("dir", { type: "string", describe: "Directory to look in (default: .)" })
      .option("verify", {
        type: "boolean",
        default: false,
        describe: "Re-check every snapshot's integrity now",
      }),
  examples: [["kubectl etcdsnap list --dir /var/backups/etcd --verify", "List and re-check snapshots"]],
  create: (args, ctx) => new List(args, ctx),
};
