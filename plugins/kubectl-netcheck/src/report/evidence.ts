/** At most this many items of a list, and characters of a line; -o wide shows all, -o json everything. */
const MAX_ITEMS = 5;
const MAX_WIDTH = 160;

/**
 * A finding's evidence for people: one line per fact, a list as one line per item, an object as
 * "key: value" pairs. Nothing is JSON here; scripts read -o json.
 */
export function evidenceLines(evidence: Record<string, unknown>, wide: boolean): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.some(isStructured)) {
      lines.push(`${key}:`);
      const shown = wide ? value : value.slice(0, MAX_ITEMS);
      for (const item of shown) lines.push(`  - ${inline(item)}`);
      if (shown.length < value.length) lines.push(`  … and ${value.length - shown.length} more (-o wide)`);
    } else lines.push(`${key}: ${inline(value)}`);
  }
  return wide ? lines : lines.map((l) => (l.length <= MAX_WIDTH ? l : `${l.slice(0, MAX_WIDTH - 1)}…`));
}

function isStructured(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}

function inline(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(inline).join(", ");
  if (typeof value === "object")
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${isStructured(v) && !Array.isArray(v) ? `(${inline(v)})` : inline(v)}`)
      .join("; ");
  return String(value);
}
