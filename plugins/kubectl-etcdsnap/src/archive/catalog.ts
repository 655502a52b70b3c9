import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { encryptionOf, fileSha256, WrongIdentityError, withPlaintext } from "./age.js";
import { readMetadata, type SnapshotMetadata } from "./metadata.js";
import { checkSnapshotFile } from "./verify.js";

export interface CatalogEntry {
  path: string;
  name: string;
  metadata?: SnapshotMetadata;
  /** When it was taken: the metadata's time, else the file's modification time. */
  time: Date;
  size: number;
  /** Encrypted with age (from the file's header). */
  encrypted: boolean;
  /** "saved" (verified by save, from the metadata), "verified" or "failed" (checked now), "unknown". */
  state: "saved" | "verified" | "failed" | "unknown";
  problem?: string;
  /** What --verify could check of an encrypted file without an identity. */
  note?: string;
}

/** Snapshots in a directory, newest first: *.db files and any file with save's metadata beside it. */
export async function readCatalog(dir: string): Promise<CatalogEntry[]> {
  const names = new Set(await readdir(dir));
  const entries: CatalogEntry[] = [];
  for (const name of names) {
    if (name.endsWith(".part") || name.endsWith(".json")) continue;
    if (!name.endsWith(".db") && !names.has(`${name}.json`)) continue;
    const file = path.join(dir, name);
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    const metadata = await readMetadata(file);
    entries.push({
      path: file,
      name,
      ...(metadata && { metadata }),
      time: metadata ? new Date(metadata.time) : st.mtime,
      size: st.size,
      encrypted: (await encryptionOf(file)) !== undefined,
      state:
        metadata?.verified && (metadata.encryption?.size ?? metadata.size) === st.size ? "saved" : "unknown",
    });
  }
  return entries.sort((a, b) => b.time.getTime() - a.time.getTime() || b.name.localeCompare(a.name));
}

/**
 * Re-checks a snapshot now (trailer required: these are snapshot streams). An encrypted one is
 * decrypted with `identityFile`; without it, the file is checked against the size and sha256
 * save recorded for the ciphertext, which proves it unchanged since save verified what is inside.
 */
export async function verifyEntry(
  e: CatalogEntry,
  identityFile?: string,
  signal?: AbortSignal,
): Promise<CatalogEntry> {
  try {
    if (e.encrypted && identityFile === undefined) return await verifyCiphertext(e);
    const checked = await withPlaintext(
      e.path,
      identityFile,
      (plain) => checkSnapshotFile(plain, e.metadata, { requireTrailer: true }),
      signal,
    );
    if (checked.problem === undefined) return { ...e, state: "verified" };
    return { ...e, state: "failed", problem: checked.problem };
  } catch (err) {
    const problem = err instanceof Error ? err.message : String(err);
    // A wrong identity says nothing about the file.
    if (err instanceof WrongIdentityError) return { ...e, state: "unknown", problem };
    return { ...e, state: "failed", problem };
  }
}

async function verifyCiphertext(e: CatalogEntry): Promise<CatalogEntry> {
  const sealed = e.metadata?.encryption;
  if (sealed === undefined)
    return {
      ...e,
      state: "unknown",
      problem: "encrypted, with no metadata to check it against; pass --decrypt-with",
    };
  if (e.size !== sealed.size || (await fileSha256(e.path)) !== sealed.sha256)
    return {
      ...e,
      state: "failed",
      problem: `the encrypted file does not match ${path.basename(e.path)}.json (size or sha256): it was changed or cut`,
    };
  return { ...e, state: "verified", note: "ciphertext as saved; --decrypt-with checks the snapshot inside" };
}

/**
 * Which snapshots prune removes: all but the newest `keep`, except that when none of those is
 * verified the newest verified one is kept too, so the last good snapshot is never deleted.
 */
export function planPrune(
  newestFirst: readonly CatalogEntry[],
  keep: number,
  verified: (e: CatalogEntry) => boolean,
): { kept: CatalogEntry[]; removed: CatalogEntry[] } {
  const kept = newestFirst.slice(0, keep);
  let removed = newestFirst.slice(keep);
  if (!kept.some(verified)) {
    const lastGood = removed.find(verified);
    if (lastGood !== undefined) {
      kept.push(lastGood);
      removed = removed.filter((e) => e !== lastGood);
    }
  }
  return { kept, removed };
}
