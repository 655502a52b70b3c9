import { rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";

/** PEM blocks one after the other, each ending in a newline. */
export function concatPem(...blocks: string[]): string {
  return blocks.map((b) => (b.endsWith("\n") ? b : `${b}\n`)).join("");
}

/**
 * Stores a certificate and its key as the kubelet's certificate store does:
 * <prefix>-<YYYY-MM-DD-HH-MM-SS>.pem, and <prefix>-current.pem as a symlink to the newest.
 */
export async function storeRotatedPem(
  pkiDir: string,
  prefix: string,
  certPem: string,
  keyPem: string,
): Promise<string> {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, "-");
  const file = `${prefix}-${stamp}.pem`;
  await writeFile(path.join(pkiDir, file), concatPem(certPem, keyPem), { mode: 0o600 });
  const current = path.join(pkiDir, `${prefix}-current.pem`);
  const staged = `${current}.tmp`;
  await rm(staged, { force: true });
  await symlink(file, staged);
  await rename(staged, current);
  return current;
}
