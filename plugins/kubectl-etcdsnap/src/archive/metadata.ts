import { readFile } from "node:fs/promises";
import type { Encryption } from "./age.js";

/** The FILE.json written beside every snapshot `save` takes (a stable contract, like -o json). */
export interface SnapshotMetadata {
  apiVersion: "kubemend.io/v1";
  kind: "EtcdSnapshot";
  /** The snapshot file's base name. */
  file: string;
  /** When the stream finished (RFC 3339, UTC). */
  time: string;
  revision: number;
  /** etcdutl's CRC-32C hash of the data. */
  hash: number;
  totalKey: number;
  size: number;
  /** sha256 of the data, equal to the file's trailer. */
  sha256: string;
  clusterId: string;
  memberId: string;
  memberName?: string;
  endpoint: string;
  etcdVersion: string;
  storageVersion: string;
  /** null when the API server could not be asked. */
  kubernetesVersion: string | null;
  /** True: save writes metadata only for snapshots that passed every check. */
  verified: boolean;
  /**
   * Present when the file is encrypted (save --encrypt-to). size, sha256 and the integrity
   * fields above describe the snapshot inside; encryption.size and .sha256 the file on disk.
   */
  encryption?: Encryption;
}

export function metadataPath(snapshot: string): string {
  return `${snapshot}.json`;
}

/** The metadata beside a snapshot; undefined when there is none or it does not parse. */
export async function readMetadata(snapshot: string): Promise<SnapshotMetadata | undefined> {
  try {
    const m = JSON.parse(await readFile(metadataPath(snapshot), "utf8")) as Partial<SnapshotMetadata>;
    if (m.kind !== "EtcdSnapshot" || typeof m.revision !== "number" || typeof m.time !== "string")
      return undefined;
    return m as SnapshotMetadata;
  } catch {
    return undefined;
  }
}

/** 2024-05-01T03:04:05.678Z → 20240501T030405Z */
export function compactTime(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** A name that is safe as one path component. */
function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "etcd";
}

/** etcd-<cluster>-<UTC time>-rev<N>.db */
export function defaultName(cluster: string, time: Date, revision: number): string {
  return `etcd-${safe(cluster)}-${compactTime(time)}-rev${revision}.db`;
}
