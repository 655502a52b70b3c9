import { execFile } from "node:child_process";
import { accessSync, constants, readdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { BadInputError, IncompleteError, UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { directoryAt } from "@kubemend/lib/fs/directory";
import { renderStructured } from "@kubemend/lib/output/format";
import { DamagedCiphertextError, withPlaintext } from "../archive/age.js";
import { readMetadata } from "../archive/metadata.js";
import { checkSnapshotFile } from "../archive/verify.js";
import { type EtcdctlFlags, etcdFlags } from "../etcd/discovery.js";
import { liveRevision } from "../etcd/live.js";
import { bumpFor } from "../restore/plan.js";
import { decryptWith, withDecryptWith } from "./age-flags.js";
import { withEtcdFlags } from "./etcd-flags.js";
import { marginOf } from "./margin.js";
import { completeSnapshotFile } from "./snapshot-file.js";

const run = promisify(execFile);

/** Where etcdutl comes from, for the error when it is missing. */
const ETCDUTL_SOURCES =
  "it ships with etcd (≥ 3.5.10 for --bump-revision): the release tarball at https://github.com/etcd-io/etcd/releases, or /usr/local/bin/etcdutl in the registry.k8s.io/etcd image kubeadm runs; pass its path with --etcdutl";

const PASSED_THROUGH = [
  "name",
  "initial-cluster",
  "initial-cluster-token",
  "initial-advertise-peer-urls",
] as const;

/** etcdsnap restore's flags, read once in complete(). */
interface RestoreOptions {
  file: string;
  dataDir: string;
  margin: number;
  /** --bump-revision; when absent, the bump is worked out from the live revision. */
  bumpRevision?: number;
  skipHashCheck: boolean;
  /** etcd's flags passed through to etcdutl (--name, --initial-cluster, …). */
  passedThrough: [string, string][];
  etcdutlFlag?: string;
  decryptWith?: string;
  etcd: EtcdctlFlags;
}

class Restore implements Command {
  private options!: RestoreOptions;
  private etcdutl!: string;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  complete(): void {
    const a = this.args;
    const bump = a["bump-revision"];
    if (bump !== undefined && (!Number.isSafeInteger(Number(bump)) || Number(bump) < 1))
      throw new UsageError(`--bump-revision must be a positive whole number, not "${String(bump)}"`);
    this.options = {
      file: String(a.file),
      dataDir: path.resolve(String(a["data-dir"])),
      margin: marginOf(a),
      ...(bump !== undefined && { bumpRevision: Number(bump) }),
      skipHashCheck: a["skip-hash-check"] === true,
      passedThrough: PASSED_THROUGH.flatMap((flag): [string, string][] =>
        typeof a[flag] === "string" ? [[flag, a[flag] as string]] : [],
      ),
      ...(typeof a.etcdutl === "string" && { etcdutlFlag: a.etcdutl }),
      decryptWith: decryptWith(a),
      etcd: etcdFlags(a, this.ctx.env),
    };
  }

  validate(): void {
    if (directoryAt(this.options.dataDir, "--data-dir") === "directory") {
      if (readdirSync(this.options.dataDir).length > 0)
        throw new BadInputError(
          `refusing to restore into ${this.options.dataDir}: it is not empty`,
          "restore into a new directory, then swap it in while etcd is stopped (see restore-plan)",
        );
    }
    this.etcdutl = findEtcdutl(this.options.etcdutlFlag, this.ctx.env.PATH);
  }

  async run(): Promise<ExitCode> {
    try {
      return await withPlaintext(
        this.options.file,
        this.options.decryptWith,
        (plain) => this.restore(plain),
        this.ctx.interrupt.signal,
      );
    } catch (err) {
      if (!(err instanceof DamagedCiphertextError)) throw err;
      throw new BadInputError(`refusing to restore: ${err.message}`, err.hint);
    }
  }

  /** Restores from `plain`: the file itself, or its decrypted copy (removed afterwards). */
  private async restore(plain: string): Promise<ExitCode> {
    const checked = await checkSnapshotFile(plain, await readMetadata(this.options.file), {
      requireTrailer: !this.options.skipHashCheck,
    });
    if (checked.problem !== undefined)
      throw new BadInputError(
        `refusing to restore ${this.options.file}: ${checked.problem}`,
        "restore another snapshot; `kubectl etcdsnap list --verify` shows which are sound",
      );
    const revision = checked.status.revision;
    const { bump, reason } = await this.bump(revision);
    const argv = ["snapshot", "restore", plain, "--data-dir", this.options.dataDir];
    for (const [flag, value] of this.options.passedThrough) argv.push(`--${flag}`, value);
    argv.push("--bump-revision", String(bump), "--mark-compacted");
    if (this.options.skipHashCheck) argv.push("--skip-hash-check");
    this.ctx.io.err.write(
      `Restoring ${this.options.file} (revision ${revision}) with --bump-revision ${bump} (${reason})\n`,
    );
    try {
      await run(this.etcdutl, argv, { maxBuffer: 16 << 20 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      const last = (e.stderr ?? e.message).trim().split("\n").pop() ?? "";
      throw new IncompleteError(
        `${this.etcdutl} snapshot restore failed: ${last}`,
        /unknown flag: --(bump-revision|mark-compacted)/.test(e.stderr ?? "")
          ? `this etcdutl cannot bump the revision; ${ETCDUTL_SOURCES}`
          : `nothing was started; remove ${this.options.dataDir} before trying again`,
      );
    }
    const result = {
      file: this.options.file,
      dataDir: this.options.dataDir,
      snapshotRevision: revision,
      bumpRevision: bump,
      bumpReason: reason,
      markCompacted: true,
    };
    const { output, io } = this.ctx;
    if (output === "json" || output === "yaml") io.out.write(renderStructured(result, output));
    else
      io.out.write(
        `Restored ${this.options.file} into ${this.options.dataDir}: revision ${revision} + ${bump}, marked compacted. Start etcd on it with --data-dir ${this.options.dataDir} (and the same --name/--initial-cluster), then the API servers.\n`,
      );
    return ExitCode.OK;
  }

  private async bump(snapshotRevision: number): Promise<{ bump: number; reason: string }> {
    const given = this.options.bumpRevision;
    if (given !== undefined) return { bump: given, reason: "from --bump-revision" };
    const live = await liveRevision(this.ctx, this.options.etcd, "if-needed");
    return bumpFor(snapshotRevision, live.revision?.revision, this.options.margin);
  }
}

function findEtcdutl(flag: unknown, pathEnv: string | undefined): string {
  const candidates =
    typeof flag === "string"
      ? [flag]
      : (pathEnv ?? "")
          .split(path.delimiter)
          .filter(Boolean)
          .map((d) => path.join(d, "etcdutl"));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {}
  }
  throw new IncompleteError(
    typeof flag === "string" ? `etcdutl ${flag} is not an executable file` : "etcdutl is not on PATH",
    ETCDUTL_SOURCES,
  );
}

export const restoreCommand: CommandSpec = {
  command: "restore <file>",
  completeArgs: completeSnapshotFile,
  describe: "Verify a snapshot and restore it into a new data dir with the revision bumped (runs etcdutl)",
  outputs: ["table", "json", "yaml"],
  builder: (y) =>
    withDecryptWith(withEtcdFlags(y))
      .positional("file", { type: "string", describe: "The snapshot to restore" })
      .option("data-dir", {
        type: "string",
        demandOption: true,
        describe: "New (empty or absent) data directory",
      })
      .option("bump-revision", {
        type: "number",
        describe: "Revisions to add (default: live revision − snapshot revision + margin, or 1,000,000,000)",
      })
      .option("margin", {
        type: "number",
        describe: "Headroom added to the computed bump (default 1,000,000)",
      })
      .option("name", { type: "string", describe: "Member name (etcdutl --name)" })
      .option("initial-cluster", { type: "string", describe: "etcdutl --initial-cluster" })
      .option("initial-cluster-token", { type: "string", describe: "etcdutl --initial-cluster-token" })
      .option("initial-advertise-peer-urls", {
        type: "string",
        describe: "etcdutl --initial-advertise-peer-urls",
      })
      .option("etcdutl", { type: "string", describe: "Path to etcdutl (default: from PATH)" })
      .option("skip-hash-check", {
        type: "boolean",
        default: false,
        describe: "Accept a copied data file (member/snap/db) that has no sha256 trailer",
      }),
  examples: [
    [
      "kubectl etcdsnap restore snap.db --data-dir /var/lib/etcd.restored --name cp-1 --initial-cluster cp-1=https://10.0.0.1:2380 --initial-advertise-peer-urls https://10.0.0.1:2380",
      "Restore one member",
    ],
  ],
  create: (args, ctx) => new Restore(args, ctx),
};
