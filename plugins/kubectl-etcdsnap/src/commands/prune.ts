import { rm } from "node:fs/promises";
import path from "node:path";
import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { existingDirectory } from "@kubemend/lib/fs/directory";
import { renderStructured } from "@kubemend/lib/output/format";
import { type CatalogEntry, planPrune, readCatalog, verifyEntry } from "../archive/catalog.js";
import { metadataPath } from "../archive/metadata.js";
import { decryptWith, withDecryptWith } from "./age-flags.js";

export interface Pruned {
  dryRun: boolean;
  kept: CatalogEntry[];
  removed: CatalogEntry[];
  /** The newest snapshot known to be sound, which prune keeps whatever --keep says. */
  lastGood?: CatalogEntry;
}

export function parseKeep(value: unknown): number {
  const keep = Number(value);
  if (!Number.isInteger(keep) || keep < 1)
    throw new UsageError(`--keep must be a whole number of at least 1, not "${String(value)}"`);
  return keep;
}

/**
 * Keeps the newest `keep` snapshots in `dir` and removes the rest, never the newest one that
 * verifies. `knownGood` is a snapshot verified a moment ago (save --keep), so it is not read again.
 */
export async function pruneDir(
  dir: string,
  keep: number,
  o: { dryRun?: boolean; identityFile?: string; knownGood?: string } = {},
): Promise<Pruned> {
  const entries = await readCatalog(dir);
  const verified = await verifyWhatMatters(entries, o);
  const { kept, removed } = planPrune(entries, keep, (e) => verified.has(e.path));
  const dryRun = o.dryRun === true;
  if (!dryRun)
    for (const e of removed) {
      await rm(metadataPath(e.path), { force: true });
      await rm(e.path, { force: true });
    }
  const lastGood = kept.find((e) => verified.has(e.path));
  return { dryRun, kept, removed, ...(lastGood && { lastGood }) };
}

/** The newest snapshot that verifies now (checked newest first). */
async function verifyWhatMatters(
  entries: CatalogEntry[],
  o: { identityFile?: string; knownGood?: string },
): Promise<Set<string>> {
  for (const e of entries) {
    if (e.path === o.knownGood || (await verifyEntry(e, o.identityFile)).state === "verified")
      return new Set([e.path]);
  }
  return new Set();
}

export function renderPruned(p: Pruned, ctx: CommandContext): string {
  const { output } = ctx;
  if (output === "json" || output === "yaml") {
    const paths = (list: CatalogEntry[]) => list.map((e) => e.path);
    return renderStructured({ dryRun: p.dryRun, kept: paths(p.kept), removed: paths(p.removed) }, output);
  }
  const verb = p.dryRun ? "would remove" : "removed";
  const lines = p.removed.map((e) => `${verb} ${e.name}\n`);
  lines.push(
    `kept ${p.kept.length} snapshot(s); ${p.lastGood ? `newest verified: ${p.lastGood.name}` : "none of them verifies"}\n`,
  );
  return lines.join("");
}

/** etcdsnap prune's flags, read once in complete(). */
interface PruneOptions {
  dir: string;
  keep: number;
  dryRun: boolean;
  decryptWith?: string;
}

class Prune implements Command {
  private options!: PruneOptions;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  complete(): void {
    const a = this.args;
    this.options = {
      dir: path.resolve(typeof a.dir === "string" ? a.dir : "."),
      keep: parseKeep(a.keep),
      dryRun: a["dry-run"] === true,
      decryptWith: decryptWith(a),
    };
  }

  validate(): void {
    existingDirectory(this.options.dir, "--dir", "create it first, or pass another --dir");
  }

  async run(): Promise<ExitCode> {
    const { dir, keep, dryRun, decryptWith: identityFile } = this.options;
    const pruned = await pruneDir(dir, keep, { dryRun, identityFile });
    this.ctx.io.out.write(renderPruned(pruned, this.ctx));
    return ExitCode.OK;
  }
}

export const pruneCommand: CommandSpec = {
  command: "prune",
  describe: "Delete all but the newest N snapshots, never the only one that verifies",
  outputs: ["table", "json", "yaml"],
  builder: (y) =>
    withDecryptWith(y)
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
