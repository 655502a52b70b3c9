import path from "node:path";
import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import { type DryRun, parseDryRun } from "@kubemend/lib/cli/dry-run";
import { UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { serverSideApply } from "@kubemend/lib/kube/apply";
import type { ResourceRef } from "@kubemend/lib/kube/client";
import { connect } from "@kubemend/lib/kube/connect";
import { renderStructured } from "@kubemend/lib/output/format";
import { checkRecipients } from "../archive/age.js";
import {
  DEFAULT_ENDPOINT,
  DEFAULT_IMAGE,
  DEFAULT_NAMESPACE,
  DEFAULT_PKI,
  type Manifest,
  type ScheduleOptions,
  scheduleManifests,
} from "../schedule/manifest.js";
import { encryptTo } from "./age-flags.js";
import { parseKeep } from "./prune.js";

const DEFAULT_HOST_PATH = "/var/backups/etcd";
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const FIELD_MANAGER = "kubectl-etcdsnap";

/** Where each kind lives in the API. */
const REFS: Record<string, Omit<ResourceRef, "namespace" | "name">> = {
  Namespace: { group: "", version: "v1", resource: "namespaces" },
  ServiceAccount: { group: "", version: "v1", resource: "serviceaccounts" },
  Role: { group: "rbac.authorization.k8s.io", version: "v1", resource: "roles" },
  RoleBinding: { group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings" },
  CronJob: { group: "batch", version: "v1", resource: "cronjobs" },
};

class Schedule implements Command {
  private options!: ScheduleOptions;
  private dryRun: DryRun = "none";
  private apply = false;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  private encryptTo: string[] = [];

  async complete(): Promise<void> {
    this.encryptTo = encryptTo(this.args);
    await checkRecipients(this.encryptTo);
  }

  validate(): void {
    const a = this.args;
    const str = (k: string) => (typeof a[k] === "string" ? (a[k] as string) : undefined);
    const namespace = this.ctx.kube.namespace ?? DEFAULT_NAMESPACE;
    const name = str("name") ?? "etcd-snapshot";
    // A CronJob's name leaves room for the Job's timestamp suffix: 52 characters at most.
    if (!DNS_LABEL.test(name) || name.length > 52)
      throw new UsageError(
        `--name "${name}" is not a valid CronJob name`,
        "use lower-case letters, digits and -, at most 52",
      );
    const schedule = str("schedule") ?? "";
    if (
      !/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(schedule) &&
      schedule.trim().split(/\s+/).length !== 5
    )
      throw new UsageError(
        `--schedule "${schedule}" is not a cron schedule`,
        'give five fields (minute hour day month weekday), e.g. "0 3 * * *", or @daily',
      );
    const hostPath = str("host-path");
    const pvc = str("pvc");
    if (hostPath !== undefined && pvc !== undefined)
      throw new UsageError("give either --host-path or --pvc, not both");
    if (hostPath !== undefined && !path.isAbsolute(hostPath))
      throw new UsageError(`--host-path "${hostPath}" must be an absolute path on the node`);
    if (pvc !== undefined && (!DNS_LABEL.test(pvc) || pvc.length > 253))
      throw new UsageError(`--pvc "${pvc}" is not a PersistentVolumeClaim name`);
    const pkiDir = str("etcd-pki-dir") ?? DEFAULT_PKI;
    if (!path.isAbsolute(pkiDir)) throw new UsageError(`--etcd-pki-dir "${pkiDir}" must be an absolute path`);
    const endpoints = str("endpoints") ?? DEFAULT_ENDPOINT;
    if (!/^https?:\/\/\S+$/.test(endpoints))
      throw new UsageError(
        `--endpoints "${endpoints}" is not an etcd client URL`,
        "e.g. https://127.0.0.1:2379",
      );
    this.dryRun = parseDryRun(a["dry-run"]);
    this.apply = a.apply === true;
    this.options = {
      name,
      namespace,
      createNamespace:
        a["create-namespace"] !== false && namespace !== "kube-system" && namespace !== "default",
      schedule,
      ...(str("time-zone") !== undefined && { timeZone: str("time-zone") }),
      keep: parseKeep(a.keep),
      image: str("image") ?? DEFAULT_IMAGE,
      storage: pvc !== undefined ? { pvc } : { hostPath: hostPath ?? DEFAULT_HOST_PATH },
      endpoints,
      pkiDir,
      encryptTo: this.encryptTo,
    };
  }

  async run(): Promise<ExitCode> {
    const objects = scheduleManifests(this.options);
    if (!this.apply || this.dryRun === "client") {
      this.ctx.io.out.write(this.print(objects));
      return ExitCode.OK;
    }
    const kube = await connect(this.ctx);
    for (const obj of objects) {
      const ref: ResourceRef = {
        ...(REFS[obj.kind] as ResourceRef),
        ...(obj.metadata.namespace !== undefined && { namespace: obj.metadata.namespace }),
        name: obj.metadata.name,
      };
      // Server-side apply: re-running schedule updates what it owns and leaves other fields alone.
      await serverSideApply(kube, ref, obj, {
        fieldManager: FIELD_MANAGER,
        serverDryRun: this.dryRun === "server",
      });
      const kind = `${obj.kind.toLowerCase()}${ref.group ? `.${ref.group}` : ""}`;
      this.ctx.io.out.write(
        `${kind}/${obj.metadata.name} serverside-applied${this.dryRun === "server" ? " (server dry run)" : ""}\n`,
      );
    }
    return ExitCode.OK;
  }

  private print(objects: Manifest[]): string {
    if (this.ctx.output === "json")
      return renderStructured({ apiVersion: "v1", kind: "List", items: objects }, "json");
    return objects.map((o) => renderStructured(o, "yaml")).join("---\n");
  }
}

export const scheduleCommand: CommandSpec = {
  command: "schedule",
  describe:
    "Print (or --apply) a CronJob that saves verified snapshots on a control-plane node and prunes them (namespace: -n, default kubemend-system)",
  outputs: ["yaml", "json"],
  builder: (y) =>
    y
      .option("schedule", { type: "string", default: "0 3 * * *", describe: "Cron schedule of the CronJob" })
      .option("time-zone", {
        type: "string",
        describe: "The schedule's time zone (CronJob timeZone), e.g. Etc/UTC",
      })
      .option("keep", {
        type: "number",
        default: 7,
        describe: "Snapshots to keep after each save (save --keep)",
      })
      .option("host-path", {
        type: "string",
        describe: `Store snapshots in this directory on the node (default ${DEFAULT_HOST_PATH}; each node keeps its own)`,
      })
      .option("pvc", {
        type: "string",
        describe: "Store snapshots on this PersistentVolumeClaim instead (in the same namespace)",
      })
      .option("encrypt-to", {
        type: "string",
        array: true,
        describe: "Encrypt each snapshot with age to this recipient (repeatable)",
      })
      .option("image", {
        type: "string",
        default: DEFAULT_IMAGE,
        describe: "kubemend's image (built from deploy/)",
      })
      .option("name", {
        type: "string",
        default: "etcd-snapshot",
        describe: "Name of the CronJob and its ServiceAccount",
      })
      .option("endpoints", {
        type: "string",
        default: DEFAULT_ENDPOINT,
        describe: "etcd client URL as the node sees it (the job uses the host network)",
      })
      .option("etcd-pki-dir", {
        type: "string",
        default: DEFAULT_PKI,
        describe:
          "etcd's PKI directory on the node (ca.crt, healthcheck-client.{crt,key}), mounted read-only",
      })
      .option("create-namespace", {
        type: "boolean",
        default: true,
        describe: "Include the Namespace (labelled for privileged pods); never for kube-system or default",
      })
      .option("apply", {
        type: "boolean",
        default: false,
        describe: "Apply the objects (server-side apply) instead of printing them",
      })
      .option("dry-run", {
        type: "string",
        describe: 'With --apply: "server" sends dryRun=All; "client" only prints',
      }),
  examples: [
    [
      "kubectl etcdsnap schedule > etcd-snapshot.yaml",
      "The CronJob, ServiceAccount and RBAC, to review and apply",
    ],
    [
      "kubectl etcdsnap schedule --pvc etcd-backups --keep 14 --encrypt-to age1… --apply",
      "Snapshots on a volume, encrypted, applied to the cluster",
    ],
  ],
  create: (args, ctx) => new Schedule(args, ctx),
};
