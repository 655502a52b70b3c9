import type { SnapshotStatus } from "../snapshot/status.js";

/** True when the file is not a bbolt database at all (no meta page with bbolt's magic). */
export function notASnapshot(s: SnapshotStatus): boolean {
  return s.integrity.boltError?.code === "NOT_BOLT";
}

/** The first integrity failure in one line, or undefined when the snapshot is sound. */
export function integrityProblem(s: SnapshotStatus, requireTrailer = true): string | undefined {
  const i = s.integrity;
  if (i.sha256 && !i.sha256.match)
    return `sha256 ${i.sha256.actual} does not match the trailer ${i.sha256.expected}: the file changed after it was written`;
  if (i.boltError) return `not readable as bbolt: ${i.boltError.message}`;
  if (i.strayBytes !== undefined)
    return `${i.strayBytes} bytes beyond the bbolt data${i.hasTrailer ? " and trailer" : ""}: the file was cut or padded`;
  if (i.bolt && !i.bolt.ok)
    return `bbolt structure check found ${i.bolt.problemCount} problem(s), first: ${i.bolt.problems[0]?.message ?? "?"}`;
  if (i.mvccProblemCount > 0)
    return `${i.mvccProblemCount} entries etcd cannot read, first: ${i.mvccProblems[0] ?? "?"}`;
  if (requireTrailer && !i.hasTrailer)
    return `size ${s.fileSize} is not 512n+32: there is no sha256 trailer (a cut stream, or a copied data file)`;
  return undefined;
}
