import { type Finding, subjectText } from "@kubemend/lib/findings/finding";
import { FINDING_LIST_KIND } from "@kubemend/lib/findings/render";
import { palette } from "@kubemend/lib/output/color";
import { renderStructured } from "@kubemend/lib/output/format";
import { byLayer, layerTitle, type Verdict } from "../checks/layers.js";
import { evidenceLines } from "./evidence.js";

export interface ReportOptions {
  format: string;
  color: boolean;
}

/** What `svc` and its siblings print: the verdict line, then every finding with evidence and next step. */
export function renderReport(
  title: string,
  verdict: Verdict,
  findings: readonly Finding[],
  options: ReportOptions,
): string {
  const items = byLayer(findings);
  if (options.format === "json" || options.format === "yaml")
    return renderStructured({ ...FINDING_LIST_KIND, verdict, items }, options.format);
  const colors = palette(options.color);
  const wide = options.format === "wide";
  const status = verdict.status.toUpperCase();
  const where = verdict.layer ? ` at ${layerTitle(verdict.layer)}` : "";
  const head =
    verdict.status === "ok"
      ? colors.green(status)
      : (verdict.status === "broken" ? colors.red : colors.yellow)(`${status}${where}`);
  const lines = [`${colors.bold(title)}: ${head}: ${verdict.message}`];
  for (const f of items) {
    const severity = f.severity.toUpperCase();
    const tone =
      f.severity === "critical" ? colors.red : f.severity === "warning" ? colors.yellow : colors.dim;
    lines.push("", `${tone(severity)}  ${f.code}  ${subjectText(f.subject)}`, `  ${f.message}`);
    for (const line of evidenceLines(f.evidence ?? {}, wide)) lines.push(`  ${colors.dim(line)}`);
    if (f.next) lines.push(`  ${colors.dim("next:")} ${f.next}`);
  }
  return `${lines.join("\n")}\n`;
}
