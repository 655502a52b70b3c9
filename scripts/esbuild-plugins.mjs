// esbuild plugins shared by the plugin bundles (scripts/bundle.mjs) and the release binary
// (scripts/release.mjs).
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * yargs, cliui and wrap-ansi each bring string-width 7 or 8, whose module scope builds an
 * Intl.Segmenter and compiles Unicode-property regexes: ~20 ms of every start-up, --help included.
 * string-width 4 (cli-table3's, the same API) measures the same text without that set-up cost.
 */
export const stringWidth4 = {
  name: "string-width-4",
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, () => ({
      path: path.join(root, "node_modules/string-width/index.js"),
    }));
  },
};
