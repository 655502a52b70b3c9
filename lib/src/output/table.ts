import Table from "cli-table3";

export interface Column<Row> {
  header: string;
  value(row: Row): string;
  /** Shown only with -o wide. */
  wide?: boolean;
}

/**
 * kubectl's table look: upper-case headers, no borders, columns three spaces apart. cli-table3
 * does the width arithmetic (it measures ANSI-coloured cells correctly); its own colours are
 * switched off because it ignores NO_COLOR, and colour comes from the caller's palette instead.
 */
export function renderTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  wide: boolean,
): string {
  const shown = columns.filter((c) => wide || !c.wide);
  const table = new Table({
    head: shown.map((c) => c.header),
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "   ",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  for (const row of rows) table.push(shown.map((c) => c.value(row)));
  return `${table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")}\n`;
}
