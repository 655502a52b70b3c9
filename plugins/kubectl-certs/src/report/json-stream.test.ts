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
    const { text, pieces } = written({ kind: "CertificateReport", certificates: rows, findings: [] });
    expect(text).toBe(
      `${JSON.stringify({ kind: "CertificateReport", certificates: rows, findings: [] }, null, 2)}\n`,
    );
    expect(pieces).toBeGreaterThan(10);
  });
});
