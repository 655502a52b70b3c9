import { UsageError } from "@kubemend/lib/cli/errors";
import { parseDuration } from "@kubemend/lib/output/duration";

export function parseTimeout(value: unknown): number {
  const ms = typeof value === "string" ? parseDuration(value) : undefined;
  if (ms === undefined || ms <= 0)
    throw new UsageError(`invalid --timeout "${String(value)}"`, "use a duration such as 60s or 5m");
  return ms;
}
