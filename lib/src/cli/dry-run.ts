import { UsageError } from "./errors.js";

/** kubectl's --dry-run: none, client (print only) or server (send dryRun=All). */
export type DryRun = "none" | "client" | "server";

export function parseDryRun(value: unknown): DryRun {
  if (value === undefined || value === false || value === "none") return "none";
  // A bare --dry-run means client, as it did in kubectl.
  if (value === "" || value === true || value === "client") return "client";
  if (value === "server") return "server";
  throw new UsageError(
    `invalid --dry-run "${String(value)}"`,
    "use --dry-run=client, --dry-run=server or none",
  );
}
