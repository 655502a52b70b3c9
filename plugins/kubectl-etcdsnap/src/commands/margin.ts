import { UsageError } from "@kubemend/lib/cli/errors";
import { DEFAULT_MARGIN } from "../restore/plan.js";

export function marginOf(args: Record<string, unknown>): number {
  const margin = args.margin === undefined ? DEFAULT_MARGIN : Number(args.margin);
  if (!Number.isSafeInteger(margin) || margin < 0)
    throw new UsageError(`--margin must be a whole number of revisions, not "${String(args.margin)}"`);
  return margin;
}
