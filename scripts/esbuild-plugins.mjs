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

/**
 * For the release binary's V8 startup snapshot. Some built-in modules cannot be in a snapshot at
 * all (tls and http2 register native callbacks V8 does not know: "Unknown external reference";
 * worker_threads and child_process are not snapshot-safe), and the others cost start-up time there:
 * the 31 built-in modules certs loaded when evaluated (node:crypto alone is 17) were ~3.4 MB of the
 * snapshot that every `--help` would deserialise. So our own imports of these become lazy: each
 * named export is a proxy of the real function or class (calls, `new`, statics, `instanceof`,
 * promisify) that loads the module on first use, and the default export a proxy that loads it on
 * first property read. A named import of a non-function (a constant) fails the build, so nothing
 * silently turns undefined. Dependencies import the real modules; the ones that need these
 * (grpc-js, the Kubernetes client) are loaded after start-up anyway.
 */
const LAZY_BUILTINS = [
  "assert",
  "child_process",
  "crypto",
  "dns",
  "fs/promises",
  "http",
  "http2",
  "https",
  "net",
  "os",
  "readline",
  "tls",
  "worker_threads",
  "zlib",
];
export const lazyBuiltins = {
  name: "lazy-builtins",
  setup(b) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join("|")})$`);
    const lazy = (a) => ({ path: a.path.replace(/^node:/, ""), namespace: "lazy-builtin" });
    b.onResolve({ filter }, (a) =>
      /[\\/]node_modules[\\/]/.test(a.importer) || a.kind === "require-call" ? undefined : lazy(a),
    );
    // yargs imports two functions of node:assert while it is evaluated; assert loads Node's
    // terminal colours, tty and net with it, ~1 MB of the snapshot for argument checks.
    b.onResolve({ filter: /^(node:)?assert$/ }, (a) => (a.kind === "import-statement" ? lazy(a) : undefined));
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (a) => {
      const real = process.getBuiltinModule(`node:${a.path}`);
      const names = Object.keys(real).filter(
        (k) => typeof real[k] === "function" && /^[A-Za-z_$][\w$]*$/.test(k),
      );
      const contents = [
        `const load = () => process.getBuiltinModule("node:${a.path}");`,
        "const custom = Symbol.for('nodejs.util.promisify.custom');",
        "function lazy(k, promisified) {",
        "  const real = () => load()[k];",
        "  const p = new Proxy(function () {}, {",
        "    apply: (_, self, args) => Reflect.apply(real(), self, args),",
        "    construct: (_, args, newTarget) => Reflect.construct(real(), args, newTarget === p ? real() : newTarget),",
        // promisify(execFile) at module level must not load child_process: its custom form, lazily.
        "    get: (_, name) =>",
        "      name === custom ? (promisified ? (...args) => real()[custom](...args) : undefined) : real()[name],",
        "    has: (_, name) => name in real(),",
        "  });",
        "  return p;",
        "}",
        "export default new Proxy({}, { get: (_, k) => load()[k], has: (_, k) => k in load() });",
        ...names.map(
          (k) =>
            `export const ${k} = lazy(${JSON.stringify(k)}, ${typeof real[k][Symbol.for("nodejs.util.promisify.custom")] === "function"});`,
        ),
      ].join("\n");
      return { contents, loader: "js" };
    });
  },
};

/**
 * node:module for the startup snapshot: yargs calls createRequire(import.meta.url) while it is
 * evaluated, which would build a CommonJS loader into the snapshot for a path on the build machine.
 * Here createRequire returns a require that is made on first use, at run time; everything else
 * is read from the real module when asked for.
 */
export const lazyCreateRequire = {
  name: "lazy-create-require",
  setup(b) {
    b.onResolve({ filter: /^(node:)?module$/ }, () => ({ path: "module", namespace: "lazy-module" }));
    b.onLoad({ filter: /.*/, namespace: "lazy-module" }, () => ({
      contents: [
        'const real = () => process.getBuiltinModule("node:module");',
        "function createRequire(from) {",
        "  let r;",
        "  const made = () => (r ??= real().createRequire(from));",
        "  const req = (id) => made()(id);",
        "  req.resolve = (id, options) => made().resolve(id, options);",
        "  return req;",
        "}",
        "module.exports = new Proxy({ createRequire }, { get: (t, k) => (k in t ? t[k] : real()[k]) });",
      ].join("\n"),
      loader: "js",
    }));
  },
};
