import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { palette } from "@kubemend/lib/output/color";
import { renderStructured } from "@kubemend/lib/output/format";
import { DamagedCiphertextError, withPlaintext } from "../archive/age.js";
import { readMetadata, type SnapshotMetadata } from "../archive/metadata.js";
import { type CheckedSnapshot, checkSnapshotFile } from "../archive/verify.js";
import { formatBytes } from "../report/units.js";
import { decryptWith, withDecryptWith } from "./age-flags.js";
import { completeSnapshotFile } from "./snapshot-file.js";

/** etcdsnap status's flags, read once in complete(). */
interface StatusOptions {
  file: string;
  requireTrailer: boolean;
  decryptWith?: string;
}

class Status implements Command {
  private options!: StatusOptions;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  complete(): void {
    const a = this.args;
    this.options = {
      file: String(a.file),
      requireTrailer: a["require-trailer"] === true,
      decryptWith: decryptWith(a),
    };
  }

  validate(): void {}

  async run(): Promise<ExitCode> {
    const metadata = await readMetadata(this.options.file);
    let checked: CheckedSnapshot & { encrypted: boolean };
    try {
      checked = await withPlaintext(
        this.options.file,
        this.options.decryptWith,
        async (plain, encrypted) => ({
          ...(await checkSnapshotFile(plain, metadata, {
            requireTrailer: this.options.requireTrailer,
          })),
          encrypted,
        }),
        this.ctx.interrupt.signal,
      );
    } catch (err) {
      // Ciphertext that does not decrypt is an integrity failure of the file, like a bit flip.
      if (!(err instanceof DamagedCiphertextError)) throw err;
      this.ctx.io.out.write(this.renderDamaged(err.message));
      return ExitCode.FINDINGS;
    }
    this.ctx.io.out.write(this.render(checked));
    return checked.problem === undefined ? ExitCode.OK : ExitCode.FINDINGS;
  }

  private renderDamaged(problem: string): string {
    const { output } = this.ctx;
    if (output === "json" || output === "yaml")
      return renderStructured(
        { file: this.options.file, encrypted: true, integrity: { ok: false, problem } },
        output,
      );
    return `File:       ${this.options.file}\nEncrypted:  age\nIntegrity:  ${palette(this.ctx.color).red(`FAILED: ${problem}`)}\n`;
  }

  private render({
    status: s,
    problem,
    metadata,
    encrypted,
  }: CheckedSnapshot & { encrypted: boolean }): string {
    const { output } = this.ctx;
    // A file bbolt cannot read through has no hash, revision or counts: its zeros were not read.
    const read = s.integrity.boltError === undefined;
    const known = <T>(value: T): T | null => (read ? value : null);
    if (output === "json" || output === "yaml")
      return renderStructured(
        {
          file: this.options.file,
          hash: known(s.hash),
          revision: known(s.revision),
          totalKey: known(s.totalKey),
          totalSize: known(s.totalSize),
          version: known(s.version),
          fileSize: s.fileSize,
          encrypted,
          integrity: { ...s.integrity, ok: problem === undefined, ...(problem !== undefined && { problem }) },
          ...(metadata && { metadata }),
        },
        output,
      );
    const c = palette(this.ctx.color);
    const lines: [string, string][] = [
      ["File", this.options.file],
      ...(encrypted
        ? ([["Encrypted", `age (checked after decrypting with ${this.options.decryptWith})`]] as [
            string,
            string,
          ][])
        : []),
      ["Hash", read ? s.hash.toString(16).padStart(8, "0") : "-"],
      ["Revision", read ? String(s.revision) : "-"],
      ["Total keys", read ? String(s.totalKey) : "-"],
      ["Total size", read ? `${formatBytes(s.totalSize)} (${s.totalSize} bytes)` : "-"],
      ["Version", read ? s.version || "(before 3.6)" : "-"],
      ["sha256", s.integrity.sha256 ? s.integrity.sha256.actual : "no trailer (not from a snapshot stream)"],
      ["bbolt check", s.integrity.bolt ? `${s.integrity.bolt.problemCount} problem(s)` : "not run"],
      ...taken(metadata),
      ["Integrity", problem === undefined ? c.green("OK") : c.red(`FAILED: ${problem}`)],
    ];
    const width = Math.max(...lines.map(([k]) => k.length)) + 2;
    return `${lines.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join("\n")}\n`;
  }
}

function taken(m: SnapshotMetadata | undefined): [string, string][] {
  if (m === undefined) return [];
  return [
    ["Taken", `${m.time} from ${m.memberName ?? m.memberId} (${m.endpoint})`],
    ["Cluster", `${m.clusterId}, Kubernetes ${m.kubernetesVersion ?? "unknown"}, etcd ${m.etcdVersion}`],
  ];
}

export const statusCommand: CommandSpec = {
  command: "status <file>",
  completeArgs: completeSnapshotFile,
  describe: "Hash, revision, keys, size and version as etcdutl computes them, plus integrity (read-only)",
  outputs: ["table", "json", "yaml"],
  builder: (y) =>
    withDecryptWith(
      y.positional("file", { type: "string", describe: "The snapshot file" }).option("require-trailer", {
        type: "boolean",
        default: false,
        describe: "Fail a file without the sha256 trailer that snapshot streams end with",
      }),
    ),
  examples: [
    ["kubectl etcdsnap status snap.db -o json", "What etcdutl snapshot status says, and whether it is sound"],
  ],
  create: (args, ctx) => new Status(args, ctx),
};
