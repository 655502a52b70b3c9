import { dump } from "js-yaml";
import { UsageError } from "../cli/errors.js";

/** The -o formats every command understands; commands may add their own (e.g. prometheus). */
export const COMMON_OUTPUT_FORMATS = ["table", "wide", "json", "yaml"] as const;

export function validateOutputFormat(format: string, allowed: readonly string[]): void {
  if (!allowed.includes(format))
    throw new UsageError(
      `unsupported output format "${format}"`,
      `use -o with one of: ${allowed.join(", ")}`,
    );
}

/** JSON and YAML are the documented, stable contract: two-space JSON, block-style YAML. */
export function renderStructured(value: unknown, format: "json" | "yaml"): string {
  if (format === "json") return `${JSON.stringify(value, null, 2)}\n`;
  return dump(value, { noRefs: true, lineWidth: -1, sortKeys: false });
}
