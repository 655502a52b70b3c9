import { CATALOGUE, type CodeSpec } from "./catalogue.js";

const PLUGINS: Record<CodeSpec["plugin"], string> = {
  certs: "kubectl certs",
  netcheck: "kubectl netcheck",
};

/** The anchor of a code in docs/findings.md, as GitHub renders its heading. */
export function docAnchor(code: string): string {
  return `docs/findings.md#${code.toLowerCase()}`;
}

function severityText(spec: CodeSpec): string {
  if (typeof spec.severity === "string") return spec.severity;
  return Object.entries(spec.severity)
    .map(([situation, severity]) => `${severity} (${situation})`)
    .join(", ");
}

/** docs/findings.md: every code of the catalogue, by plugin and layer. */
export function renderFindingsDoc(): string {
  const entries = Object.entries(CATALOGUE as Record<string, CodeSpec>);
  const lines = [
    "# Findings",
    "",
    "<!-- Generated from lib/src/findings/catalogue.ts by `npm run docs:findings`; do not edit. -->",
    "",
    "Every finding has a stable code, a severity, a subject, a one-line message, evidence and the",
    "next step for that subject (`-o json` shows all of it). A check never picks a severity itself:",
    "it comes from this table, which lists, for a code whose severity depends on the situation,",
    "each situation (its case) and its severity. `--fail-on SEVERITY` makes the exit code 1 when a",
    "finding reaches that severity (default: critical).",
    "",
  ];
  for (const plugin of Object.keys(PLUGINS) as CodeSpec["plugin"][]) {
    const own = entries.filter(([, spec]) => spec.plugin === plugin);
    lines.push(`## ${PLUGINS[plugin]}`, "", "| code | layer | severity |", "| --- | --- | --- |");
    for (const [code, spec] of own)
      lines.push(`| [${code}](#${code.toLowerCase()}) | ${spec.layer} | ${severityText(spec)} |`);
    lines.push("");
    for (const [code, spec] of own)
      lines.push(
        `### ${code}`,
        "",
        `- **Severity:** ${severityText(spec)}`,
        `- **Layer:** ${spec.layer}`,
        "",
        spec.meaning,
        "",
        `**Next:** ${spec.next}`,
        "",
      );
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
