import { ExitCode } from "./exit-codes.js";

/**
 * An error a user can act on: one line saying what failed, an optional hint saying what to do,
 * and the exit code it maps to. Anything else that escapes a command is a bug and exits 3.
 */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "CommandError";
  }
}

/** Bad flags or arguments (exit 2). */
export class UsageError extends CommandError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.USAGE, hint);
    this.name = "UsageError";
  }
}

/** Input that cannot be used: a malformed file, a snapshot that is not a snapshot (exit 2). */
export class BadInputError extends CommandError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, ExitCode.USAGE, hint, options);
    this.name = "BadInputError";
  }
}

/** The command could not complete: unreachable, forbidden, timed out (exit 3). */
export class IncompleteError extends CommandError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, ExitCode.INCOMPLETE, hint, options);
    this.name = "IncompleteError";
  }
}

/** The one line (plus hint) that a failed command prints on stderr; the stack only when verbose. */
export function formatError(err: unknown, programName: string, verbose: boolean): string {
  const message = oneLine(err instanceof Error ? err.message : String(err));
  let text = `error: ${message}`;
  if (err instanceof CommandError && err.hint) text += `\n  hint: ${oneLine(err.hint)}`;
  else if (!(err instanceof CommandError))
    text += `\n  hint: this is a bug in ${programName}; rerun with -v=1 for the stack trace and report it`;
  if (verbose && err instanceof Error && err.stack) text += `\n${err.stack}`;
  return text;
}

export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof CommandError ? err.exitCode : ExitCode.INCOMPLETE;
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, "; ");
}
