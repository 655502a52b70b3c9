import { type Palette, palette } from "../output/color.js";
import { renderStructured } from "../output/format.js";
import { type Column, renderTable } from "../output/table.js";
import { type Finding, type Severity, sortFindings, subjectText } from "./finding.js";

export const FINDING_LIST_KIND = { apiVersion: "kubemend.io/v1", kind: "FindingList" } as const;

export interface RenderOptions {
  format: "table" | "wide" | "json" | "yaml";
  color: boolean;
}

function severityCell(severity: Severity, colors: Palette): string {
  const label = severity.toUpperCase();
  if (severity === "critical") return colors.red(label);
  if (severity === "warning") return colors.yellow(label);
  return label;
}

export function renderFindings(findings: readonly Finding[], options: RenderOptions): string {
  const sorted = sortFindings(findings);
  if (options.format === "json" || options.format === "yaml")
    return renderStructured({ ...FINDING_LIST_KIND, items: sorted }, options.format);
  if (sorted.length === 0) return "No findings.\n";
  const colors = palette(options.color);
  const columns: Column<Finding>[] = [
    { header: "SEVERITY", value: (f) => severityCell(f.severity, colors) },
    { header: "CODE", value: (f) => f.code },
    { header: "SUBJECT", value: (f) => subjectText(f.subject) },
    { header: "MESSAGE", value: (f) => f.message },
    { header: "NEXT", value: (f) => f.next ?? "", wide: true },
  ];
  return renderTable(sorted, columns, options.format === "wide");
}
