import { UsageError } from "@kubemend/lib/cli/errors";
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

/** The --encrypt-to recipients (repeatable). A bare --encrypt-to must not quietly mean "no encryption". */
export function encryptTo(args: Record<string, unknown>): string[] {
  const to = args["encrypt-to"];
  const recipients = (Array.isArray(to) ? to : to === undefined ? [] : [to]).map(String);
  // An array option given without a value parses as [] (absent is undefined), or [""] with "=".
  if ((Array.isArray(to) && to.length === 0) || recipients.some((r) => r.trim() === ""))
    throw new UsageError(
      "--encrypt-to needs an age recipient",
      "pass --encrypt-to age1… (the output of age-keygen -y)",
    );
  return recipients;
}
