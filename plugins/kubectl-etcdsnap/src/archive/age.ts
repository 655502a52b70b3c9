// Encryption at rest with age (age-encryption.org/v1) through the age-encryption package, the
// maintained TypeScript implementation by age's author. Both directions stream file to file
// through its WHATWG-stream API, so memory stays at a few 64 KiB chunks whatever the size.
//
// Readers need random access (bbolt pages), which an age payload does not offer, so an encrypted
// snapshot is decrypted to a 0600 file in a private 0700 directory under $TMPDIR and removed
// afterwards, on every path (errors and SIGINT/SIGTERM included). $TMPDIR, not the snapshot's
// directory: the backup store, which is what encryption protects, never holds the plaintext.

import { createHash } from "node:crypto";
import { createReadStream, rmSync } from "node:fs";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { BadInputError, CommandError, IncompleteError, UsageError } from "@kubemend/lib/cli/errors";
import { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { PartFile } from "./durable.js";

/** Loaded on use: the library and its ciphers and curves are not parsed by commands that never need them. */
const age = () => import("age-encryption");

const MAGIC = "age-encryption.org/v1\n";
const ARMOR = "-----BEGIN AGE ENCRYPTED FILE-----";
/** Ciphertext is written in blocks this big (age produces 64 KiB chunks). */
const WRITE_BLOCK = 1 << 20;

/** How the encrypted file was made, as FILE.json records it. */
export interface Encryption {
  format: "age";
  /** The age recipients (public keys) that can decrypt it. */
  recipients: string[];
  /** Size and sha256 of the encrypted file: `list --verify` checks these without an identity. */
  size: number;
  sha256: string;
}

/** An encrypted file that does not decrypt: the ciphertext was changed or cut (an integrity failure, exit 1). */
export class DamagedCiphertextError extends CommandError {
  constructor(file: string, why: string) {
    super(
      `${file} is encrypted with age but does not decrypt: ${why}; the file was changed or cut`,
      ExitCode.FINDINGS,
      "restore another snapshot; `kubectl etcdsnap list --verify` shows which are sound",
    );
    this.name = "DamagedCiphertextError";
  }
}

/** The identity given does not open the file: bad input (exit 2), and nothing about the file. */
export class WrongIdentityError extends BadInputError {}

/** "age" when the file starts with an age header (binary or armored), else undefined. */
export async function encryptionOf(file: string): Promise<"age" | "age-armor" | undefined> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(file, "r");
    const head = Buffer.alloc(ARMOR.length);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const text = head.subarray(0, bytesRead).toString("latin1");
    if (text.startsWith(MAGIC)) return "age";
    if (text.startsWith(ARMOR)) return "age-armor";
    return undefined;
  } catch {
    // Missing or unreadable: the reader that follows says so in its own words.
    return undefined;
  } finally {
    await fh?.close();
  }
}

/** Rejects a recipient the library cannot encrypt to, at validate time. */
export async function checkRecipients(recipients: readonly string[]): Promise<void> {
  if (recipients.length === 0) return;
  const { Encrypter } = await age();
  for (const r of recipients) {
    try {
      // Decodes and checks the key (bech32 checksum, length), not only its prefix.
      new Encrypter().addRecipient(r);
    } catch {
      throw new UsageError(
        `--encrypt-to "${r}" is not an age recipient`,
        "give a public key such as age1… (`age-keygen -y key.txt` prints it)",
      );
    }
  }
}

/** The identities in an age identity file (one AGE-SECRET-KEY-… a line, # comments). */
export async function readIdentities(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new BadInputError(
      `cannot read the identity file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      "pass the age identity file (made by age-keygen) with --decrypt-with",
    );
  }
  const { identityToRecipient } = await age();
  const ids: string[] = [];
  for (const [n, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    // The error names the line, never what it holds.
    await identityToRecipient(line).catch(() => {
      throw new BadInputError(
        `${file} is not an age identity file: line ${n + 1} is not an AGE-SECRET-KEY-…`,
        "pass the file age-keygen wrote (not the public key, not an SSH key)",
      );
    });
    ids.push(line);
  }
  if (ids.length === 0)
    throw new BadInputError(`${file} holds no age identity`, "pass the file age-keygen wrote");
  return ids;
}

/** Encrypts `plain` to `sealed` (created 0600, fsynced); on failure nothing is left at `sealed`. */
export async function encryptFile(
  plain: string,
  sealed: string,
  recipients: readonly string[],
  signal?: AbortSignal,
): Promise<Encryption> {
  const { Encrypter } = await age();
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  const source = Readable.toWeb(
    createReadStream(plain, { highWaterMark: WRITE_BLOCK, signal }),
  ) as ReadableStream<Uint8Array>;
  const out = await e.encrypt(source);
  const hash = createHash("sha256");
  let size = 0;
  const part = await PartFile.create(sealed);
  let written = 0;
  const append = async (block: Buffer) => {
    await part.write(block, block.length, written);
    written += block.length;
  };
  try {
    await writeBlocks(out, append, (chunk) => {
      hash.update(chunk);
      size += chunk.length;
    });
    await part.sync();
  } catch (err) {
    await part.abandon();
    await rm(sealed, { force: true });
    throw err;
  }
  await part.close();
  return { format: "age", recipients: [...recipients], size, sha256: hash.digest("hex") };
}

/** Streams chunks to `write` in blocks of about WRITE_BLOCK bytes, in order. */
async function writeBlocks(
  chunks: AsyncIterable<Uint8Array>,
  write: (block: Buffer) => Promise<unknown>,
  seen?: (chunk: Uint8Array) => void,
): Promise<void> {
  let block: Uint8Array[] = [];
  let len = 0;
  const flush = async () => {
    if (len === 0) return;
    await write(Buffer.concat(block, len));
    block = [];
    len = 0;
  };
  for await (const chunk of chunks) {
    seen?.(chunk);
    block.push(chunk);
    len += chunk.length;
    if (len >= WRITE_BLOCK) await flush();
  }
  await flush();
}

/** A snapshot file as the readers see it: the file itself, or its decrypted temporary copy. */
export interface Plaintext {
  path: string;
  encrypted: boolean;
  /** Removes the decrypted copy (a no-op for a plain file); safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * The plaintext of a snapshot file. A plain file is returned as it is; an age file needs
 * `identityFile`, and a missing or wrong identity is bad input (exit 2), never a corrupt snapshot.
 */
export async function openPlaintext(
  file: string,
  identityFile: string | undefined,
  signal?: AbortSignal,
): Promise<Plaintext> {
  const kind = await encryptionOf(file);
  if (kind === undefined) return { path: file, encrypted: false, dispose: async () => {} };
  if (kind === "age-armor")
    throw new BadInputError(
      `${file} is age-encrypted in ASCII armor`,
      "dearmor it first (age -d needs the identity too), or save with --encrypt-to, which writes binary age",
    );
  if (identityFile === undefined)
    throw new BadInputError(
      `${file} is encrypted with age; pass --decrypt-with`,
      "give the age identity file whose public key the snapshot was encrypted to (FILE.json lists them)",
    );
  const identities = await readIdentities(identityFile);
  const dir = await mkdtemp(path.join(tmpdir(), "kubemend-etcdsnap-"));
  const plain = path.join(dir, path.basename(file));
  // SIGINT or SIGTERM ends the process before any finally block runs: the command's interrupt
  // signal removes the plaintext first (lib/src/cli/signals.ts).
  const onAbort = () => rmSync(dir, { recursive: true, force: true });
  signal?.addEventListener("abort", onAbort, { once: true });
  const dispose = async () => {
    signal?.removeEventListener("abort", onAbort);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await decryptFile(file, plain, identities, identityFile);
    return { path: plain, encrypted: true, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function decryptFile(
  file: string,
  plain: string,
  identities: readonly string[],
  identityFile: string,
): Promise<void> {
  const { Decrypter } = await age();
  const d = new Decrypter();
  for (const id of identities) d.addIdentity(id);
  const source = Readable.toWeb(
    createReadStream(file, { highWaterMark: WRITE_BLOCK }),
  ) as ReadableStream<Uint8Array>;
  let out: ReadableStream<Uint8Array>;
  try {
    out = await d.decrypt(source);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (why.startsWith("no identity matched"))
      throw new WrongIdentityError(
        `${file} is encrypted with age to other recipients: no identity in ${identityFile} matches`,
        "pass the identity whose public key is in the snapshot's FILE.json (encryption.recipients)",
      );
    throw new DamagedCiphertextError(file, `its age header is invalid (${why})`);
  }
  const fh = await open(plain, "wx", 0o600);
  try {
    await writeBlocks(out as unknown as WebReadableStream<Uint8Array>, (block) => fh.write(block));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined)
      throw new IncompleteError(
        `decrypting ${file} to ${plain} failed: ${code === "ENOSPC" ? "no space left on the device" : (err as Error).message}`,
        "the decrypted copy needs as much space as the snapshot: point TMPDIR at a directory with room",
      );
    throw new DamagedCiphertextError(file, err instanceof Error ? err.message : String(err));
  } finally {
    await fh.close();
  }
}

/**
 * Runs a reader on the plaintext of `file` and removes any decrypted copy afterwards. Messages
 * that name the temporary copy are given the original file's name.
 */
export async function withPlaintext<T>(
  file: string,
  identityFile: string | undefined,
  read: (plain: string, encrypted: boolean) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const p = await openPlaintext(file, identityFile, signal);
  try {
    return await read(p.path, p.encrypted);
  } catch (err) {
    if (p.encrypted && err instanceof Error) err.message = err.message.split(p.path).join(file);
    throw err;
  } finally {
    await p.dispose();
  }
}

/** sha256 of a file, streamed. */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: WRITE_BLOCK }))
    hash.update(chunk as Buffer);
  return hash.digest("hex");
}
