import { describe, expect, it } from "vitest";
import { palette } from "./color.js";
import { type Column, renderTable } from "./table.js";

interface Row {
  name: string;
  value: string;
  extra: string;
}

const columns: Column<Row>[] = [
  { header: "NAME", value: (r) => r.name },
  { header: "VALUE", value: (r) => r.value },
  { header: "EXTRA", value: (r) => r.extra, wide: true },
];

const rows: Row[] = [
  { name: "x", value: "longer value", extra: "e1" },
  { name: "yy", value: "z", extra: "e2" },
];

const ESC = "\u001b";
/** The start of any ANSI escape sequence (a RegExp built from a string: biome bans control characters in literals). */
const ANSI = new RegExp(`${ESC}\\[`);

describe("renderTable", () => {
  it("prints kubectl's look: headers, columns three spaces apart, no borders", () => {
    expect(renderTable(rows, columns, false)).toBe("NAME   VALUE\nx      longer value\nyy     z\n");
  });

  it("shows wide-only columns only when wide", () => {
    const narrow = renderTable(rows, columns, false);
    expect(narrow).not.toContain("EXTRA");
    expect(narrow).not.toContain("e1");
    expect(renderTable(rows, columns, true)).toBe(
      "NAME   VALUE          EXTRA\nx      longer value   e1\nyy     z              e2\n",
    );
  });

  it("leaves no trailing spaces, even when the last column is empty", () => {
    const text = renderTable(
      [
        { name: "a", value: "", extra: "" },
        { name: "bbbbbb", value: "v", extra: "" },
      ],
      columns,
      true,
    );
    for (const line of text.split("\n")) expect(line).toBe(line.trimEnd());
    expect(text).toBe("NAME     VALUE   EXTRA\na\nbbbbbb   v\n");
  });

  it("prints only the header line for no rows", () => {
    expect(renderTable([], columns, true)).toBe("NAME   VALUE   EXTRA\n");
  });

  it("writes no ANSI escape when the cells are plain", () => {
    const text = renderTable(rows, columns, true);
    expect(text).not.toMatch(ANSI);
  });

  it("measures coloured cells by their visible width", () => {
    const colors = palette(true);
    const text = renderTable(
      [
        { name: colors.red("RED"), value: "v1", extra: "" },
        { name: "longer", value: "v2", extra: "" },
      ],
      columns,
      false,
    );
    expect(text).toBe(`NAME     VALUE\n${colors.red("RED")}      v1\nlonger   v2\n`);
  });
});
