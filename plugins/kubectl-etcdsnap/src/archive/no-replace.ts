import { link, unlink } from "node:fs/promises";
import { BadInputError } from "@kubemend/lib/cli/errors";

/**
 * Gives `from` the name `to`, never replacing a file already there: link(2) fails with EEXIST
 * where rename(2) would overwrite (a snapshot of the same name may appear while one is taken),
 * and the temporary name is dropped only once the new one exists. Both sit in one directory.
 */
export async function renameNoReplace(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST")
      throw new BadInputError(
        `${to} already exists`,
        "etcdsnap never overwrites a snapshot: move that file away or choose another name",
      );
    throw err;
  }
  await unlink(from);
}
