import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { BadInputError, IncompleteError, UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { directoryAt } from "@kubemend/lib/fs/directory";
import { connect } from "@kubemend/lib/kube/connect";
import { renderStructured } from "@kubemend/lib/output/format";
import { startProgress } from "@kubemend/lib/output/progress";
import { checkRecipients, type Encryption, encryptFile } from "../archive/age.js";
import { compactTime, defaultName, type SnapshotMetadata } from "../archive/metadata.js";
import { type Saved, saveSnapshot } from "../archive/save.js";
import { EtcdEndpoint } from "../etcd/client.js";
import { kubeadmClusterName, kubernetesVersion } from "../etcd/cluster-info.js";
import { type Discovered, discoverEtcd, endpointsOf } from "../etcd/collect.js";
import { type EtcdctlFlags, etcdFlags } from "../etcd/discovery.js";
import { type MemberStatus, pickMember, statusAll } from "../etcd/members.js";
import type { StatusResponse } from "../etcd/proto.js";
import { formatBytes, progressBar } from "../report/units.js";
import { encryptTo } from "./age-flags.js";
import { withEtcdFlags } from "./etcd-flags.js";
import { type Pruned, parseKeep, pruneDir, renderPruned } from "./prune.js";

/** etcdsnap save's flags, read once in complete(). */
interface SaveOptions {
  /** FILE and --dir as given; validate resolves them into file and dir. */
  file?: string;
  dir?: string;
  keep?: number;
  recipients: string[];
  /** --endpoint: snapshot this member. */
  endpoint?: string;
  etcd: EtcdctlFlags;
}

class Save implements Command {
  private options!: SaveOptions;
  private etcd!: Discovered;
  private file?: string;
  private dir = ".";

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  async complete(): Promise<void> {
    const a = this.args;
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    this.options = {
      file: text(a.file),
      dir: text(a.dir),
      ...(a.keep !== undefined && { keep: parseKeep(a.keep) }),
      recipients: encryptTo(a),
      endpoint: text(a.endpoint),
      etcd: etcdFlags(a, this.ctx.env),
    };
    // Here rather than in validate: the check loads the age library, and it must fail before etcd is asked.
    await checkRecipients(this.options.recipients);
  }

  validate(): void {
    const { file, dir } = this.options;
    if (typeof file === "string" && typeof dir === "string")
      throw new UsageError(
        "give either FILE or --dir, not both",
        "FILE names the snapshot; --dir picks a directory for the default name",
      );
    if (typeof file === "string") {
      if (existsSync(file))
        throw new BadInputError(
          `${file} already exists`,
          "choose another name; etcdsnap never overwrites a snapshot",
        );
      this.file = path.resolve(file);
      this.dir = path.dirname(this.file);
    } else if (typeof dir === "string") this.dir = path.resolve(dir);
    // A --dir that does not exist yet is made (0700) before the save, as a backup tool should.
    const at =
      typeof file === "string"
        ? directoryAt(this.dir, "the directory of FILE", "save into a directory")
        : directoryAt(this.dir, "--dir");
    if (at === "missing" && typeof file === "string")
      throw new BadInputError(`${this.dir} does not exist`, "create it first, or save with --dir");
  }

  async run(): Promise<ExitCode> {
    // Discovery asks the cluster, so it comes after validate: bad input is exit 2 even when etcd is down.
    this.etcd = await discoverEtcd(this.ctx, this.options.etcd);
    this.etcd.kube ??= await connect(this.ctx).catch(() => undefined);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const forced = this.options.endpoint;
    const endpoints = endpointsOf(this.etcd);
    if (forced !== undefined && !endpoints.some((e) => e.url === forced))
      endpoints.push(new EtcdEndpoint(forced, this.etcd.tls));
    try {
      const member = pickMember(await statusAll(endpoints), forced);
      const endpoint = endpoints.find((e) => e.url === member.endpoint) as EtcdEndpoint;
      const saved = await this.save(endpoint, member);
      // Only after a verified save: a failing job never thins out the snapshots it failed to replace.
      const pruned =
        this.options.keep === undefined
          ? undefined
          : await pruneDir(this.dir, this.options.keep, { knownGood: saved.path });
      this.report(saved, pruned);
      return ExitCode.OK;
    } finally {
      for (const e of endpoints) e.close();
    }
  }

  private async save(endpoint: EtcdEndpoint, member: MemberStatus): Promise<Saved> {
    const status = member.status as StatusResponse;
    const started = this.ctx.clock.now();
    const [k8sVersion, clusterName, memberName] = await Promise.all([
      kubernetesVersion(this.etcd.kube),
      kubeadmClusterName(this.etcd.kube),
      endpoint
        .memberList()
        .then((r) => r.members.find((m) => m.id === status.header.memberId)?.name)
        .catch(() => undefined),
    ]);
    const cluster = clusterName ?? status.header.clusterId;
    const partName = this.file
      ? `${path.basename(this.file)}.part`
      : `etcd-${cluster}-${compactTime(started)}.db.part`;
    // Encrypted: the plaintext is streamed and verified in a private $TMPDIR directory, so the
    // backup directory only ever holds ciphertext (FILE.part while it is written, then FILE).
    const plainDir =
      this.options.recipients.length > 0
        ? await mkdtemp(path.join(tmpdir(), "kubemend-etcdsnap-save-"))
        : undefined;
    const partPath = path.join(plainDir ?? this.dir, partName);
    const sealing = new AbortController();
    let encryption: Encryption | undefined;
    const progress = await startProgress(this.ctx.io.err, `snapshot from ${endpoint.url}`);
    let call: Awaited<ReturnType<EtcdEndpoint["snapshot"]>> | undefined;
    const interrupt = () => {
      call?.cancel();
      sealing.abort();
    };
    // SIGINT/SIGTERM cancel the stream; the .part file and the plaintext are removed below, and
    // the command ends with its error instead of being killed first.
    const { signal } = this.ctx.interrupt;
    const release = this.ctx.interrupt.windDown();
    signal.addEventListener("abort", interrupt, { once: true });
    try {
      return await saveSnapshot({
        start: async () => {
          const stream = await endpoint.snapshot();
          call = stream;
          return stream;
        },
        partPath,
        finalPath: (s) =>
          this.file ?? path.join(this.dir, defaultName(cluster, this.ctx.clock.now(), s.revision)),
        streamError: (err) => endpoint.error(err, "the snapshot stream failed"),
        progress: (done, total) =>
          progress.update(() => `snapshot from ${endpoint.url} ${progressBar(done, total)}`),
        ...(plainDir !== undefined && {
          seal: async (plain: string, finalPath: string) => {
            progress.update(`encrypting to ${this.options.recipients.length} age recipient(s)`);
            const sealed = `${finalPath}.part`;
            await rm(sealed, { force: true });
            encryption = await encryptFile(plain, sealed, this.options.recipients, sealing.signal);
            await rm(plain, { force: true });
            return sealed;
          },
        }),
        metadata: (s, finalPath): SnapshotMetadata => ({
          apiVersion: "kubemend.io/v1",
          kind: "EtcdSnapshot",
          file: path.basename(finalPath),
          time: this.ctx.clock.now().toISOString(),
          revision: s.revision,
          hash: s.hash,
          totalKey: s.totalKey,
          size: s.fileSize,
          sha256: s.integrity.sha256?.actual ?? "",
          clusterId: status.header.clusterId,
          memberId: status.header.memberId,
          ...(memberName !== undefined && { memberName }),
          endpoint: endpoint.url,
          etcdVersion: status.version,
          storageVersion: s.version || status.storageVersion,
          kubernetesVersion: k8sVersion,
          verified: true,
          ...(encryption && { encryption }),
        }),
      });
    } catch (err) {
      if (err instanceof IncompleteError) throw err;
      throw new IncompleteError(
        `saving the snapshot failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      signal.removeEventListener("abort", interrupt);
      release();
      progress.stop();
      if (plainDir !== undefined) await rm(plainDir, { recursive: true, force: true });
    }
  }

  private report(saved: Saved, pruned: Pruned | undefined): void {
    const { output, io } = this.ctx;
    if (output === "json" || output === "yaml") {
      const prune = pruned && {
        pruned: { kept: pruned.kept.map((e) => e.path), removed: pruned.removed.map((e) => e.path) },
      };
      io.out.write(renderStructured({ path: saved.path, ...saved.metadata, ...prune }, output));
      return;
    }
    const m = saved.metadata;
    io.out.write(
      `Saved ${saved.path} (revision ${m.revision}, ${m.totalKey} keys, ${formatBytes(m.size)}, sha256 ${m.sha256.slice(0, 12)}…) from ${m.memberName ?? m.memberId} at ${m.endpoint}; verified${m.encryption ? `; encrypted with age to ${m.encryption.recipients.length} recipient(s)` : ""}; metadata in ${path.basename(saved.metadataPath)}\n`,
    );
    if (pruned) io.out.write(renderPruned(pruned, this.ctx));
  }
}

export const saveCommand: CommandSpec = {
  command: "save [file]",
  describe: "Take a verified snapshot from the healthiest etcd member (atomic, 0600, with metadata)",
  outputs: ["table", "json", "yaml"],
  builder: (y) =>
    withEtcdFlags(y)
      .positional("file", {
        type: "string",
        describe: "Snapshot file (default: --dir/etcd-<cluster>-<UTC time>-rev<N>.db)",
      })
      .option("dir", {
        type: "string",
        describe: "Directory for a snapshot with the default name (default: .)",
      })
      .option("endpoint", {
        type: "string",
        describe: "Snapshot this member (a client URL) instead of picking one",
      })
      .option("encrypt-to", {
        type: "string",
        array: true,
        describe:
          "Encrypt the snapshot with age to this recipient (age1…; repeatable). Verified before it is encrypted; the plaintext stays in $TMPDIR only while it is checked",
      })
      .option("keep", {
        type: "number",
        describe: "After a verified save, prune the directory to the newest N (never the last verified one)",
      }),
  examples: [
    ["kubectl etcdsnap save --dir /var/backups/etcd", "Snapshot etcd found from the control-plane pods"],
    [
      "kubectl etcdsnap save --dir /var/backups/etcd --keep 7 --encrypt-to age1…",
      "Encrypted at rest, keeping a week of daily snapshots",
    ],
    [
      "kubectl etcdsnap save s.db --endpoints https://10.0.0.1:2379 --cacert ca.crt --cert c.crt --key c.key",
      "Snapshot with etcdctl's flags",
    ],
  ],
  create: (args, ctx) => new Save(args, ctx),
};
