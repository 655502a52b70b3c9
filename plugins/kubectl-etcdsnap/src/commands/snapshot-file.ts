import type { ArgCompletions } from "@kubemend/lib/cli/app";
import { BadInputError } from "@kubemend/lib/cli/errors";
import { SnapshotError } from "../contents/walk.js";

/** Runs a read of a snapshot file, turning an unreadable or non-bbolt file into bad input. */
export async function readingSnapshot<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof SnapshotError)
      throw new BadInputError(
        `${err.message}`,
        "is it an etcd snapshot or a member's snap/db? `etcdsnap status` checks it",
      );
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EACCES" || code === "EISDIR")
      throw new BadInputError(`cannot read ${file}: ${code}`, "check the path and its permissions");
    throw err;
  }
}

/** Shell completion of a snapshot file argument: the shell lists *.db files (encrypted ones too). */
export const completeSnapshotFile = async (): Promise<ArgCompletions> => ({ fileExtensions: ["db"] });
