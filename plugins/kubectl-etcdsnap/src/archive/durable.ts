// The durable writer under `save`: bytes go to NAME.part (created new, 0600), are fsynced, and
// take a final name that never replaces a file; the directory is fsynced so the name survives a
// crash. What the bytes are, and whether they may be published, is the caller's business.
import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { IncompleteError } from "@kubemend/lib/cli/errors";
import { renameNoReplace } from "./no-replace.js";

/** A file being written under its temporary name. */
export class PartFile {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  /** Creates `partPath`; it must not exist (the caller removes a crashed save's leftover first). */
  static async create(partPath: string): Promise<PartFile> {
    const fh = await open(partPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600).catch(
      fsError(partPath, "creating"),
    );
    return new PartFile(partPath, fh);
  }

  /** Writes buf[0, length) at `position`, all of it. */
  async write(buf: Uint8Array, length: number, position: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const { bytesWritten } = await this.fh
        .write(buf, done, length - done, position + done)
        .catch(fsError(this.path, "writing"));
      done += bytesWritten;
    }
  }

  sync(): Promise<void> {
    return this.fh.sync().catch(fsError(this.path, "flushing"));
  }

  close(): Promise<void> {
    return this.fh.close().catch(fsError(this.path, "closing"));
  }

  /** Closes after a failed write: that failure is the one to report, not a failure to close. */
  async abandon(): Promise<void> {
    await Promise.allSettled([this.fh.close()]);
  }
}

/** Gives `from` its final name `to` without replacing anything there (bad input if a file is). */
export async function publish(from: string, to: string): Promise<void> {
  await renameNoReplace(from, to).catch((err: NodeJS.ErrnoException) => {
    if (err.code === undefined) throw err;
    return fsError(to, "renaming to")(err);
  });
}

/** A small file (the metadata) written and fsynced under `file`. */
export async function writeSynced(file: string, text: string): Promise<void> {
  const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600).catch(
    fsError(file, "creating"),
  );
  try {
    await fh.writeFile(text).catch(fsError(file, "writing"));
    await fh.sync().catch(fsError(file, "flushing"));
  } finally {
    await fh.close();
  }
}

/** A rename is durable only once the directory entry is on disk. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY).catch(fsError(dir, "opening"));
  try {
    await fh.sync().catch(fsError(dir, "flushing"));
  } finally {
    await fh.close();
  }
}

/** A failed file operation as the one line to print, with what to do about it. */
export function fsError(file: string, doing: string) {
  return (err: NodeJS.ErrnoException): never => {
    const why =
      err.code === "ENOSPC"
        ? "no space left on the device"
        : err.code === "EDQUOT"
          ? "disk quota exceeded"
          : err.message;
    throw new IncompleteError(
      `${doing} ${file} failed: ${why}`,
      err.code === "ENOSPC" || err.code === "EDQUOT"
        ? `free space there (the snapshot needs about the etcd database size), or save elsewhere with --dir`
        : "check the directory's permissions and the disk",
    );
  };
}
