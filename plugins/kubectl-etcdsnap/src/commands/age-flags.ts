import type { Argv } from "yargs";

/** --decrypt-with, for the commands that read snapshot files. */
export function withDecryptWith(y: Argv): Argv {
  return y.option("decrypt-with", {
    type: "string",
    describe:
      "age identity file, for snapshots saved with --encrypt-to (decrypted to a 0600 file in $TMPDIR, removed after)",
  });
}

export function decryptWith(args: Record<string, unknown>): string | undefined {
  const v = args["decrypt-with"];
  return typeof v === "string" ? v : undefined;
}

/** The --encrypt-to recipients (repeatable). */
export function encryptTo(args: Record<string, unknown>): string[] {
  const to = args["encrypt-to"];
  return (Array.isArray(to) ? to : to === undefined ? [] : [to]).map(String);
}
