import { stat } from "node:fs/promises";
import { BadInputError } from "@kubemend/lib/cli/errors";
import { type SnapshotStatus, snapshotStatus } from "../snapshot/status.js";
import { integrityProblem, notASnapshot } from "./integrity.js";
import { metadataPath, type SnapshotMetadata } from "./metadata.js";

export interface CheckedSnapshot {
  status: SnapshotStatus;
  /** The first integrity failure, in one line; undefined when the snapshot is sound. */
  problem?: string;
  metadata?: SnapshotMetadata;
}

/**
 * Verifies a snapshot file (read-only): sha256 trailer, bbolt structure, MVCC entries, and the
 * metadata save wrote beside it. A missing file or one that is not bbolt at all is bad input.
 */
export async function checkSnapshotFile(
  file: string,
  metadata: SnapshotMetadata | undefined,
  options: { requireTrailer?: boolean } = {},
): Promise<CheckedSnapshot> {
  const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new BadInputError(`cannot open ${file}: ${err.code === "ENOENT" ? "no such file" : err.message}`);
  });
  if (!st.isFile()) throw new BadInputError(`${file} is not a regular file`);
  const status = await snapshotStatus(file, { requireTrailer: options.requireTrailer });
  if (notASnapshot(status))
    throw new BadInputError(
      `${file} is not an etcd snapshot: ${status.integrity.boltError?.message ?? "no bbolt meta page"}`,
      "give a file written by `kubectl etcdsnap save` or `etcdctl snapshot save`",
    );
  const problem =
    integrityProblem(status, options.requireTrailer === true) ?? metadataMismatch(file, status, metadata);
  return { status, ...(problem !== undefined && { problem }), ...(metadata && { metadata }) };
}

function metadataMismatch(
  file: string,
  s: SnapshotStatus,
  m: SnapshotMetadata | undefined,
): string | undefined {
  if (m === undefined) return undefined;
  const sha = s.integrity.sha256?.actual;
  if (m.size !== s.fileSize || (m.sha256 !== "" && m.sha256 !== sha) || m.revision !== s.revision)
    return `the file does not match ${metadataPath(file)} (size ${s.fileSize}, revision ${s.revision} vs recorded ${m.size}, ${m.revision}): it was replaced or changed`;
  return undefined;
}
