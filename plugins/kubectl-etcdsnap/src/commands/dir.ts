import { existsSync, statSync } from "node:fs";
import { BadInputError } from "@kubemend/lib/cli/errors";

/** A directory the command can use, or bad input. */
export function snapshotDir(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new BadInputError(`${dir} is not a directory`, "create it first, or pass another --dir");
  return dir;
}
