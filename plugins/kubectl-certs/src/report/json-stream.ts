/** Where the pieces go; a Node stream's write() fits. */
export interface TextSink {
  write(chunk: string): unknown;
}

const CHUNK = 64 * 1024;

/**
 * Writes exactly what `${JSON.stringify(value, null, 2)}\n` would, one array element at a time
 * in 64 KiB pieces, so that the text of a report with tens of thousands of entries never sits in
 * memory whole (it is several times the size of the data it describes). Only the arrays directly
 * under the top-level object are written element by element.
 */
export function writeJson(out: TextSink, value: Record<string, unknown>): void {
  let pending = "";
  const emit = (text: string) => {
    pending += text;
    if (pending.length >= CHUNK) {
      out.write(pending);
      pending = "";
    }
  };
  // Nested two levels deep: every line after the first moves right by four spaces. JSON text has
  // no raw line breaks inside strings, so this is safe.
  const nested = (v: unknown) => (JSON.stringify(v, null, 2) as string).replaceAll("\n", "\n    ");
  const entries = Object.entries(value).filter(([, v]) => JSON.stringify(v) !== undefined);
  if (entries.length === 0) {
    out.write("{}\n");
    return;
  }
  emit("{");
  entries.forEach(([key, v], i) => {
    emit(`${i === 0 ? "" : ","}\n  ${JSON.stringify(key)}: `);
    if (Array.isArray(v) && v.length > 0) {
      emit("[");
      v.forEach((element, j) => {
        // JSON.stringify prints null for what it cannot represent inside an array.
        emit(
          `${j === 0 ? "" : ","}\n    ${JSON.stringify(element) === undefined ? "null" : nested(element)}`,
        );
      });
      emit("\n  ]");
    } else emit((JSON.stringify(v, null, 2) as string).replaceAll("\n", "\n  "));
  });
  emit("\n}\n");
  out.write(pending);
}
