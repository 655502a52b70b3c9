import path from "node:path";
import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { palette } from "@kubemend/lib/output/color";
import { renderStructured } from "@kubemend/lib/output/format";
import { renderTable } from "@kubemend/lib/output/table";
import { withPlaintext } from "../archive/age.js";
import { diffKeyspaces, type KeyspaceDiff } from "../contents/diff.js";
import { RevisionPairs } from "../contents/pairs.js";
import { resourceLabel } from "../contents/resource.js";
import { recordRevisions } from "../contents/walk.js";
import { type EtcdctlFlags, etcdFlags } from "../etcd/discovery.js";
import { liveKeys } from "../etcd/keys.js";
import { decryptWith, withDecryptWith } from "./age-flags.js";
import { withEtcdFlags } from "./etcd-flags.js";
import { completeSnapshotFile, readingSnapshot } from "./snapshot-file.js";

/** Reads one snapshot (decrypting it first when it is age-encrypted) into the pairs. */
function record(
  file: string,
  identityFile: string | undefined,
  pairs: RevisionPairs,
  side: "a" | "b",
  signal: AbortSignal,
): Promise<number> {
  return withPlaintext(
    file,
    identityFile,
    (plain) => readingSnapshot(file, () => recordRevisions(plain, pairs, side)),
    signal,
  );
}

export interface SnapshotDiff extends KeyspaceDiff {
  a: { file: string; revision: number };
  /** The other snapshot, or the live etcd member the keys came from. */
  b: { file?: string; endpoint?: string; revision: number };
}

/** How diffLive reads the snapshot and finds etcd. */
export interface LiveDiffOptions {
  decryptWith?: string;
  etcd: EtcdctlFlags;
  prefix?: string;
}

/** A snapshot against the live keyspace: what restoring it would do to the cluster now. */
export async function diffLive(
  file: string,
  ctx: Pick<CommandContext, "kube" | "env" | "interrupt">,
  { decryptWith: identityFile, etcd, prefix = "/registry/" }: LiveDiffOptions,
): Promise<SnapshotDiff> {
  const pairs = new RevisionPairs();
  const revision = await record(file, identityFile, pairs, "a", ctx.interrupt.signal);
  const live = await liveKeys(ctx, etcd, (key, rev) => pairs.set("b", key, rev));
  return {
    a: { file, revision },
    b: { endpoint: live.endpoint, revision: live.revision },
    ...diffKeyspaces(pairs, path.basename(file), prefix),
  };
}

/** etcdsnap diff's flags, read once in complete(). */
interface DiffOptions extends Required<Omit<LiveDiffOptions, "decryptWith">> {
  a: string;
  b?: string;
  live: boolean;
  decryptWith?: string;
}

class Diff implements Command {
  private options!: DiffOptions;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  complete(): void {
    const a = this.args;
    this.options = {
      a: String(a.a),
      ...(a.b !== undefined && { b: String(a.b) }),
      live: a.live === true,
      prefix: String(a.prefix ?? "/registry/"),
      decryptWith: decryptWith(a),
      etcd: etcdFlags(a, this.ctx.env),
    };
  }

  validate(): void {
    const { b, live } = this.options;
    if ((b === undefined) === !live)
      throw new UsageError(
        "give either a second snapshot (diff A.db B.db) or --live (diff A.db --live), not both",
      );
  }

  async run(): Promise<ExitCode> {
    const o = this.options;
    const signal = this.ctx.interrupt.signal;
    let d: SnapshotDiff;
    if (o.live) d = await diffLive(o.a, this.ctx, o);
    else {
      const fileB = o.b as string;
      // One file after the other, into one index of key → (revision in A, revision in B).
      const pairs = new RevisionPairs();
      const revA = await record(o.a, o.decryptWith, pairs, "a", signal);
      const revB = await record(fileB, o.decryptWith, pairs, "b", signal);
      d = {
        a: { file: o.a, revision: revA },
        b: { file: fileB, revision: revB },
        ...diffKeyspaces(pairs, path.basename(o.a), o.prefix),
      };
    }
    const { output } = this.ctx;
    this.ctx.io.out.write(
      output === "json" || output === "yaml" ? renderStructured(d, output) : this.render(d),
    );
    return ExitCode.OK;
  }

  private render(d: SnapshotDiff): string {
    const c = palette(this.ctx.color);
    const b = d.b.file ?? `live etcd ${d.b.endpoint}`;
    const out = [
      c.bold(d.headline),
      `A: ${d.a.file} (revision ${d.a.revision})`,
      `B: ${b} (revision ${d.b.revision})`,
      `${d.changes.length} keys differ, ${d.unchanged} are the same`,
    ];
    if (d.changes.length > 0) {
      out.push(
        "",
        renderTable(
          d.summary,
          [
            { header: "RESOURCE", value: (s) => resourceLabel(s.group, s.resource) },
            // A to B, as the JSON; the headline above says what restoring A would do with them.
            { header: "ADDED SINCE A", value: (s) => String(s.added) },
            { header: "REMOVED SINCE A", value: (s) => String(s.removed) },
            { header: "CHANGED SINCE A", value: (s) => String(s.changed) },
          ],
          false,
        ).trimEnd(),
        "",
        renderTable(
          d.changes,
          [
            { header: "SINCE A", value: (x) => x.change },
            { header: "RESOURCE", value: (x) => resourceLabel(x.group, x.resource) },
            { header: "NAMESPACE", value: (x) => x.namespace ?? "" },
            { header: "NAME", value: (x) => x.name },
            { header: "REV A", value: (x) => (x.revisionA === null ? "-" : String(x.revisionA)) },
            { header: "REV B", value: (x) => (x.revisionB === null ? "-" : String(x.revisionB)) },
          ],
          false,
        ).trimEnd(),
      );
    }
    return `${out.join("\n")}\n`;
  }
}

export const diffCommand: CommandSpec = {
  command: "diff <a> [b]",
  completeArgs: completeSnapshotFile,
  describe:
    "Keys added, removed and changed from snapshot A to snapshot B or to the live etcd, and what restoring A would undo",
  outputs: ["table", "json", "yaml"],
  builder: (y) =>
    withDecryptWith(withEtcdFlags(y))
      .positional("a", { type: "string", describe: "The snapshot a restore would bring back" })
      .positional("b", { type: "string", describe: "The snapshot to compare with (or --live)" })
      .option("live", {
        type: "boolean",
        default: false,
        describe: "Compare with the live etcd's keys and revisions (read from etcd, not the API server)",
      })
      .option("prefix", {
        type: "string",
        default: "/registry/",
        describe: "kube-apiserver's --etcd-prefix, with a trailing slash",
      }),
  examples: [
    ["kubectl etcdsnap diff old.db new.db", "What changed between two snapshots"],
    ["kubectl etcdsnap diff old.db --live", "What restoring old.db would roll back now"],
  ],
  create: (args, ctx) => new Diff(args, ctx),
};
