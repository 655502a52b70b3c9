/** Renders what help-memo.ts keeps: at build time, by the code the binary runs. */
import { type PluginSpec, runPlugin } from "./app.js";
import { helpRequests, MEMO_WIDTHS, memoKey } from "./help-memo.js";
import { bufferStreams } from "./io.js";

/**
 * The texts to keep: what runPlugin prints for each request at each width, rendered by runPlugin
 * itself, keyed `<request>@<width>`.
 */
export async function renderHelpMemo(
  spec: PluginSpec,
  widths: readonly number[] = MEMO_WIDTHS,
): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const width of widths)
    for (const request of helpRequests(spec)) {
      const io = bufferStreams();
      (io.out as { columns?: number }).columns = width;
      const argv = request === "" ? ["--help"] : [request, "--help"];
      const code = await runPlugin(spec, argv, { io, clock: { now: () => new Date(0) }, env: {} });
      if (code !== 0 || io.stderr() !== "")
        throw new Error(`${spec.name} ${argv.join(" ")} exited ${code}: ${io.stderr()}`);
      texts.set(memoKey(request, width), io.stdout());
    }
  return texts;
}
