// The checks a command makes of a directory flag in validate(): a path that exists and is not a
// directory is bad input (exit 2, one line), whatever the command would have done with it.
import { statSync } from "node:fs";
import { BadInputError } from "../cli/errors.js";

/**
 * "missing" when nothing is there; throws when something other than a directory is. `flag` names
 * where the path came from ("--dir"), for the message.
 */
export function directoryAt(
  dir: string,
  flag: string,
  hint = `pass a directory with ${flag}`,
): "directory" | "missing" {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw new BadInputError(`${flag} ${dir}: ${(err as NodeJS.ErrnoException).code ?? "cannot be read"}`);
  }
  if (!isDirectory) throw new BadInputError(`${flag} ${dir} is not a directory`, hint);
  return "directory";
}

/** A directory the command reads from: it must be there. */
export function existingDirectory(dir: string, flag: string, hint?: string): string {
  if (directoryAt(dir, flag) === "missing")
    throw new BadInputError(`${flag} ${dir} does not exist`, hint ?? `pass a directory with ${flag}`);
  return dir;
}
