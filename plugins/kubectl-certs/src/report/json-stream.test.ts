import { describe, expect, it } from "vitest";
import { writeJson } from "./json-stream.js";

function written(value: Record<string, unknown>): { text: string; pieces: number } {
  const pieces: string[] = [];
  writeJson({ write: (chunk) => pieces.push(chunk) }, value);
  return { text: pieces.join(""), pieces: pieces.length };
}

describe("writeJson", () => {
  it.each<[string, Record<string, unknown>]>([
    ["empty", {}],
    ["scalars and nesting", { a: 1, b: 'x\ny "q"', c: null, d: { e: [1, { f: [] }], g: {} }, h: true }],
    ["empty and full arrays", { list: [], rows: [{ a: 1, b: [1, 2] }, "s", 3, null, [[]], {}] }],
    ["values JSON drops or nulls", { skip: undefined, f: () => 1, arr: [undefined, () => 1, 1] }],
    ["dates and toJSON", { when: new Date("2030-01-02T03:04:05Z"), list: [new Date(0)] }],
    ["unicode", { ключ: ["é", "\u2028", "😀"] }],
  ])("matches JSON.stringify(value, null, 2): %s", (_, value) => {
    expect(written(value).text).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  it("writes a large array in pieces, never the whole text at once", () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ location: `secret/ns/s${i}[tls.crt]`, n: i }));
    const expected = `${JSON.stringify({ kind: "CertificateReport", certificates: rows, findings: [] }, null, 2)}\n`;
    // Each row counts its serializations, so every write records how far serializing had got.
    let serialized = 0;
    const counted = rows.map((row) => ({
      toJSON: () => {
        serialized++;
        return row;
      },
    }));
    const pieces: { text: string; serializedBefore: number }[] = [];
    writeJson(
      { write: (text: string) => pieces.push({ text, serializedBefore: serialized }) },
      {
        kind: "CertificateReport",
        certificates: counted,
        findings: [],
      },
    );

    expect(pieces.map((p) => p.text).join("")).toBe(expected);
    // 64 KiB pieces: each but the last reaches 64 KiB and overshoots it by less than one row's text.
    const chunk = 64 * 1024;
    const rowText = Math.max(...rows.map((r) => JSON.stringify(r, null, 2).length)) + 32;
    expect(pieces.length).toBeGreaterThanOrEqual(Math.floor(expected.length / (chunk + rowText)));
    expect(pieces.length).toBeLessThanOrEqual(Math.ceil(expected.length / chunk));
    for (const [i, p] of pieces.entries()) {
      if (i < pieces.length - 1) expect(p.text.length, `piece ${i}`).toBeGreaterThanOrEqual(chunk);
      expect(p.text.length, `piece ${i}`).toBeGreaterThan(0);
      expect(p.text.length, `piece ${i}`).toBeLessThan(chunk + rowText);
    }
    // Streamed: every piece but the last went out while rows were still being serialized.
    for (const [i, p] of pieces.slice(0, -1).entries()) {
      expect(p.serializedBefore, `piece ${i}`).toBeLessThan(serialized);
      expect(p.serializedBefore, `piece ${i}`).toBeGreaterThan(pieces[i - 1]?.serializedBefore ?? 0);
    }
  });
});
