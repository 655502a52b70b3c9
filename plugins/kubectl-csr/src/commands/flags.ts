import { UsageError } from "@kubemend/lib/cli/errors";
import { parseDuration } from "@kubemend/lib/output/duration";

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

export function parseTimeout(value: unknown): number {
  const ms = typeof value === "string" ? parseDuration(value) : undefined;
  if (ms === undefined || ms <= 0)
    throw new UsageError(`invalid --timeout "${String(value)}"`, "use a duration such as 60s or 5m");
  return ms;
}
