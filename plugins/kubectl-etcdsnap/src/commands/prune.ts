import { rm } from "node:fs/promises";
import path from "node:path";
import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { renderStructured } from "@kubemend/lib/output/format";
import { type CatalogEntry, planPrune, readCatalog, verifyEntry } from "../archive/catalog.js";
import { metadataPath } from "../archive/metadata.js";
import { snapshotDir } from "./dir.js";

class Prune implements Command {
  private dir = ".";
  private keep = 0;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  complete(): void {
    this.dir = path.resolve(typeof this.args.dir === "string" ? this.args.dir : ".");
  }

  validate(): void {
    const keep = Number(this.args.keep);
    if (!Number.isInteger(keep) || keep < 1)
      throw new UsageError(`--keep must be a whole number of at least 1, not "${String(this.args.keep)}"`);
    this.keep = keep;
    snapshotDir(this.dir);
  }

  async run(): Promise<ExitCode> {
    const entries = await readCatalog(this.dir);
    const verified = await this.verifyWhatMatters(entries);
    const { kept, removed } = planPrune(entries, this.keep, (e) => verified.has(e.path));
    const dryRun = this.args["dry-run"] === true;
    if (!dryRun)
      for (const e of removed) {
        await rm(metadataPath(e.path), { force: true });
        await rm(e.path, { force: true });
      }
    const { output, io } = this.ctx;
    if (output === "json" || output === "yaml") {
      const paths = (list: CatalogEntry[]) => list.map((e) => e.path);
      io.out.write(renderStructured({ dryRun, kept: paths(kept), removed: paths(removed) }, output));
    } else {
      const verb = dryRun ? "would remove" : "removed";
      for (const e of removed) io.out.write(`${verb} ${e.name}\n`);
      const lastGood = kept.find((e) => verified.has(e.path));
      io.out.write(
        `kept ${kept.length} snapshot(s); ${lastGood ? `newest verified: ${lastGood.name}` : "none of them verifies"}\n`,
      );
    }
    return ExitCode.OK;
  }

  /** The newest snapshot that verifies now (checked newest first); prune keeps it whatever --keep says. */
  private async verifyWhatMatters(entries: CatalogEntry[]): Promise<Set<string>> {
    const good = new Set<string>();
    for (const e of entries) {
      if ((await verifyEntry(e)).state === "verified") {
        good.add(e.path);
        break;
      }
    }
    return good;
  }
}

export const pruneCommand: CommandSpec = {
  command: "prune",
  describe: "Delete all but the newest N snapshots, never the only one that verifies",
  outputs: ["table", "json", "yaml"],
  builder: (y) =>
    y
      .option("keep", {
        type: "number",
        demandOption: true,
        describe: "How many of the newest snapshots to keep",
      })
      .option("dir", { type: "string", describe: "Directory of the snapshots (default: .)" })
      .option("dry-run", { type: "boolean", default: false, describe: "Only say what would be removed" }),
  examples: [["kubectl etcdsnap prune --keep 7 --dir /var/backups/etcd", "Keep a week of daily snapshots"]],
  create: (args, ctx) => new Prune(args, ctx),
};
