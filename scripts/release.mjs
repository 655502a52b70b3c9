// `node scripts/release.mjs --platform linux-amd64 [--platform …|all] [--no-code-cache] [--version X]
//  [--out DIR] [--krew-dir DIR]`
//
// Builds kubemend's single-file executables in Node's single-executable-application (SEA) format
// from the official Node 24 binaries that the npm registry ships as `node-<os>-<arch>` packages, so
// one Linux machine builds every platform. Writes dist/release/kubemend_<version>_<os>_<arch>.tar.gz
// (+ .sha256), then regenerates the krew manifests krew/*.yaml and krew/index/plugins/*.yaml from
// every archive of that version in dist/release.
//
// One multi-call binary, not one per plugin, decided on archive size. Measured for linux-amd64:
// the Node runtime is ~127 MB of the 129 MB binary and the bundle of all four plugins is 2.4 MB,
// so the multi-call archive is 44.1 MB; four per-plugin archives would be ~176 MB per platform
// (and four runtimes on disk) for no gain: the bundle is not evaluated beyond the plugin that
// runs, and certs --help starts in ~104 ms either way (1.75x `kubectl version --client`). One
// binary serves every plugin by the name it runs under (kubectl-certs, kubectl_complete-certs, …,
// or `kubemend certs …`). darwin-arm64 gets no binary (Apple Silicon runs only signed ones): its
// archive holds the bundle and a launcher for the Node on PATH (buildLauncher).
// The archive holds only regular files (the binary and LICENSE): krew's tar extractor rejects
// symlinks and hard links ("unable to handle file type"), and krew links ~/.krew/bin/kubectl-<name>
// to `bin` itself, which is the name the binary dispatches on.
//
// The binary for the machine we build on starts from a V8 startup snapshot (useSnapshot): the
// entry evaluates all four plugins at build time and start() runs after deserialisation. Snapshot
// and code cache are V8-build and CPU specific (Node's docs: cross-platform SEAs must disable
// both), so other platforms get neither. What kept the snapshot from building, and how it builds:
// string-width 7/8 (an Intl.Segmenter) is replaced by 4 (stringWidth4); yargs' createRequire is
// made on first use (lazyCreateRequire); tls and http2 ("Unknown external reference"),
// child_process, worker_threads and the rest of the built-ins our code imports are loaded on first
// use (lazyBuiltins); crc32c's native addon is looked for at run time. Measured on linux-amd64,
// paired against `kubectl version --client`: `kubectl-certs --help` 1.72x with the code cache,
// 1.38-1.41x with the snapshot (then 9.9 MB; 7.8 MB since CHUNKS stay out of it; an empty Node
// snapshot alone is 6.4 MB and starts ~4 ms slower than a single executable without one). The blob holds no environment value (checked with a
// variable set at build), only the build directory's paths.
//
// Every binary (any platform: assets need no V8 match) also carries each plugin's and command's
// help for MEMO_WIDTHS as SEA assets (helpAssets, lib/src/cli/help-memo.ts): with it
// `kubectl-certs --help` takes 0.90x `kubectl version --client`.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { chmod, copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import * as yaml from "js-yaml";
import { lazyBuiltins, lazyCreateRequire, stringWidth4 } from "./esbuild-plugins.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PLUGINS = ["certs", "csr", "etcdsnap", "netcheck"];
const NODE_MAJOR = "24";
const REPO_URL = "https://github.com/kubemend/kubemend";
// Our platform name → npm package suffix, Go-style os/arch for krew, executable suffix.
const PLATFORMS = {
  "linux-amd64": { pkg: "linux-x64", os: "linux", arch: "amd64", exe: "" },
  "linux-arm64": { pkg: "linux-arm64", os: "linux", arch: "arm64", exe: "" },
  "darwin-amd64": { pkg: "darwin-x64", os: "darwin", arch: "amd64", exe: "" },
  // Apple Silicon runs only signed binaries, and nothing here can sign one: the bundle and a
  // launcher that runs it with the Node on PATH (see buildLauncher).
  "darwin-arm64": { pkg: "darwin-arm64", os: "darwin", arch: "arm64", exe: "", launcher: true },
  "windows-amd64": { pkg: "win-x64", os: "windows", arch: "amd64", exe: ".exe" },
};
const HOST = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;

const { values } = parseArgs({
  options: {
    platform: { type: "string", multiple: true, default: [HOST] },
    version: { type: "string" },
    "no-code-cache": { type: "boolean", default: false },
    "no-snapshot": { type: "boolean", default: false },
    // Where archives and manifests go (dist/release and krew/ by default); scripts/krew-check.mjs
    // builds into a scratch directory so that the committed manifests stay as released.
    out: { type: "string" },
    "krew-dir": { type: "string" },
  },
});
const version = values.version ?? JSON.parse(await readFile(path.join(root, "package.json"), "utf8")).version;
const wanted = values.platform.includes("all") ? Object.keys(PLATFORMS) : values.platform;
for (const p of wanted)
  if (!PLATFORMS[p]) throw new Error(`unknown platform ${p}; known: ${Object.keys(PLATFORMS)}`);

const work = path.join(root, ".tsbuild", "release");
const outDir = path.resolve(values.out ?? path.join(root, "dist", "release"));
const krewDir = path.resolve(values["krew-dir"] ?? path.join(root, "krew"));
const tools = path.join(root, ".tools");
await mkdir(work, { recursive: true });
await mkdir(outDir, { recursive: true });

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "inherit"], ...opts }).toString();
}

/** postject and macho-unsign, installed once under .tools/release-tools (not project dependencies). */
function releaseTools() {
  const dir = path.join(tools, "release-tools");
  if (!existsSync(path.join(dir, "node_modules", "postject"))) {
    execFileSync("mkdir", ["-p", dir]);
    sh("npm", [
      "install",
      "--prefix",
      dir,
      "--no-save",
      "--no-audit",
      "--no-fund",
      "postject@1.0.0-alpha.6",
      "macho-unsign@2.0.6",
    ]);
  }
  const req = createRequire(path.join(dir, "package.json"));
  return { postject: req("postject"), unsign: req("macho-unsign").unsign };
}

/** The newest Node 24 the registry ships for the platform, preferring the version we build with. */
function nodeVersionFor(pkg) {
  let versions;
  try {
    versions = JSON.parse(sh("npm", ["view", `node-${pkg}`, "versions", "--json"]));
  } catch {
    return undefined;
  }
  const v24 = [].concat(versions).filter((v) => v.startsWith(`${NODE_MAJOR}.`));
  if (v24.includes(process.versions.node)) return process.versions.node;
  return v24.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).at(-1);
}

/** The official node binary of node-<pkg>@<v> from the npm registry, cached under .tools/sea-node/. */
async function nodeBinary(pkg, v) {
  const dir = path.join(tools, "sea-node", `node-${pkg}-${v}`);
  const bin = path.join(dir, "package", "bin", pkg.startsWith("win") ? "node.exe" : "node");
  if (!existsSync(bin)) {
    await mkdir(dir, { recursive: true });
    const tgz = sh("npm", ["pack", "--silent", `node-${pkg}@${v}`], { cwd: dir })
      .trim()
      .split("\n")
      .at(-1);
    sh("tar", ["xzf", tgz], { cwd: dir });
    await rm(path.join(dir, tgz));
  }
  if (!existsSync(bin)) throw new Error(`node-${pkg}@${v} has no ${path.relative(dir, bin)}`);
  return bin;
}

const PLUGIN_IMPORTS = `const plugins = {
${PLUGINS.map((p) => `  ${p}: () => import("./plugins/kubectl-${p}/src/main.ts"),`).join("\n")}
};`;

/**
 * Code that few runs need, kept out of the single binary's main script and so out of its startup
 * snapshot: each is bundled on its own (buildChunks), shipped as an asset and compiled on first
 * use (__kubemendLoadChunk in the entry). With them in the snapshot, `kubectl-certs --help` took
 * 54 ms and peaked at 64 MB; without, 45 ms and 57 MB (the main script went from 2.5 to 0.6 MB).
 */
const CHUNKS = {
  // client-node's kubeconfig loading with undici: exec and OIDC credentials, proxies (1.3 MB).
  "client-node-config": "@kubernetes/client-node/dist/config.js",
  // etcd's gRPC API: etcdsnap save, restore, list of members (0.4 MB with protobufjs).
  grpc: "@grpc/grpc-js",
  // Encrypted snapshots (0.15 MB with the noble curves).
  age: "age-encryption",
};

/**
 * One CommonJS bundle of all four plugins (SEA's main script must be CommonJS in Node 24); with
 * `chunked`, without the CHUNKS. The plugins' main.ts end in a top-level `await main(spec)`, which
 * CommonJS cannot hold: esbuildBundle's loader turns it into `export default spec` (checked to
 * match exactly once) and the entry calls main itself. Each plugin stays lazily initialised
 * (dynamic import → esbuild's lazy wrapper), so without a startup snapshot `kubectl certs` does
 * not evaluate the other three. ESM-only dependencies (yargs 18) are converted by esbuild; their
 * `import.meta.url` is the executable's file URL (or the bundle's), read when used.
 */
async function bundle(outfile, { chunked }) {
  const entry = `
import { basename } from "node:path";
import { main } from "@kubemend/lib/cli/app";
${PLUGIN_IMPORTS}
// The CHUNKS, as the single binary's assets. vm, not require: a single executable's require
// loads only built-in modules, and a chunk requires nothing else.
const chunks = new Map();
globalThis.__kubemendLoadChunk = (name) => {
  if (!chunks.has(name)) {
    const file = "chunks/" + name + ".cjs";
    const source = require("node:sea").getAsset(file, "utf8");
    const module = { exports: {} };
    const params = ["exports", "require", "module", "__filename", "__dirname"];
    require("node:vm").compileFunction(source, params, { filename: file })(module.exports, require, module, file, ".");
    chunks.set(name, module.exports);
  }
  return chunks.get(name);
};
function pick() {
  // The darwin-arm64 launcher runs "node launch.cjs" and passes the name it was run under.
  const self = basename(globalThis.__kubemendName || process.argv0 || process.argv[0]).replace(/\\.exe$/i, "");
  const m = /^kubectl(_complete)?-(.+)$/.exec(self);
  if (m) return { name: m[2], complete: Boolean(m[1]) };
  // An image's entry point (deploy/Dockerfile): the binary under its own name, plugin from the env.
  if (process.env.KUBEMEND_PLUGIN) return { name: process.env.KUBEMEND_PLUGIN, complete: false };
  // kubemend <plugin> [args…]
  const name = process.argv[2];
  process.argv.splice(2, 1);
  return { name, complete: false };
}
async function start() {
  const { name, complete } = pick();
  const load = Object.hasOwn(plugins, name ?? "") ? plugins[name] : undefined;
  if (!load) {
    process.stderr.write("usage: kubemend <" + Object.keys(plugins).join("|") + "> [flags], or run it as kubectl-<plugin>\\n");
    process.exitCode = 2;
    return;
  }
  if (complete) process.argv.splice(2, 0, "__complete");
  await main((await load()).default, helpMemo(name));
}
// The help texts rendered at build time (renderHelpMemo), kept as the binary's assets.
function helpMemo(plugin) {
  const sea = require("node:sea");
  if (!sea.isSea()) return undefined;
  return (key) => {
    try {
      return sea.getAsset("help/" + plugin + "/" + key, "utf8");
    } catch {
      return undefined;
    }
  };
}
const { startupSnapshot } = require("node:v8");
if (startupSnapshot.isBuildingSnapshot()) {
  // The release binary's startup snapshot: the four plugins (yargs, the lib, every command tree)
  // are evaluated now, on the build machine, and start() runs after deserialisation, so what it
  // reads (argv, the environment, the clock, the terminal) is the user's. Loading the built-ins
  // Node supports in a user snapshot (crypto, zlib, net, …) into it too did not pay: etcdsnap
  // status 97.6 vs 95.8 ms, --help 59.5 vs 55.1 ms, in 30 alternating runs.
  Promise.all(Object.values(plugins).map((load) => load())).then(() =>
    startupSnapshot.setDeserializeMainFunction(start),
  );
} else start();
`;
  return esbuildBundle(entry, path.join(work, outfile), { chunked });
}

/** Each of CHUNKS as a CommonJS bundle that requires only built-in modules: { "chunks/<name>.cjs": file }. */
async function buildChunks() {
  const dir = path.join(work, "chunks");
  await rm(dir, { recursive: true, force: true });
  const files = {};
  for (const [name, specifier] of Object.entries(CHUNKS)) {
    const outfile = path.join(dir, `${name}.cjs`);
    // The main script's banner defines import.meta.url's getter.
    await build({
      ...BUILD_OPTIONS,
      stdin: { contents: `module.exports = require(${JSON.stringify(specifier)});`, resolveDir: root },
      outfile,
    });
    files[`chunks/${name}.cjs`] = outfile;
  }
  return files;
}

/** In the single binary's main script, each of CHUNKS is a module that loads its asset. */
const chunkStubs = {
  name: "chunk-stubs",
  setup(b) {
    const names = new Map(Object.entries(CHUNKS).map(([name, specifier]) => [specifier, name]));
    const literal = (x) => x.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const filter = new RegExp(`^(${[...names.keys()].map(literal).join("|")})$`);
    b.onResolve({ filter }, (args) => ({ path: names.get(args.path), namespace: "kubemend-chunk" }));
    b.onLoad({ filter: /.*/, namespace: "kubemend-chunk" }, (args) => ({
      contents: `module.exports = globalThis.__kubemendLoadChunk(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

/**
 * Each plugin's help at each of MEMO_WIDTHS, rendered by the same bundled code the binary runs
 * (help-render.ts), as SEA assets: { "help/<plugin>/<request>@<width>": file }.
 */
async function helpAssets() {
  const entry = `
import { renderHelpMemo } from "@kubemend/lib/cli/help-render";
${PLUGIN_IMPORTS}
(async () => {
  const out = {};
  for (const [name, load] of Object.entries(plugins))
    out[name] = Object.fromEntries(await renderHelpMemo((await load()).default));
  process.stdout.write(JSON.stringify(out));
})();
`;
  const script = await esbuildBundle(entry, path.join(work, "help-memo.cjs"));
  const texts = JSON.parse(sh(process.execPath, [script]));
  const dir = path.join(work, "help");
  await rm(dir, { recursive: true, force: true });
  const assets = {};
  for (const [plugin, byKey] of Object.entries(texts)) {
    await mkdir(path.join(dir, plugin), { recursive: true });
    for (const [key, text] of Object.entries(byKey)) {
      const file = path.join(dir, plugin, key.replace(/^@/, "_@"));
      await writeFile(file, text);
      assets[`help/${plugin}/${key}`] = file;
    }
  }
  return assets;
}

const BUILD_OPTIONS = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node24",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  // Read when used, not when the bundle is evaluated: under a startup snapshot that was on the
  // build machine, and import.meta.url named the build directory on every user's machine.
  // (node:sea is not loaded while the snapshot is built: Node warns that it is not verified there.)
  define: { "import.meta.url": "globalThis.__kubemendImportMetaUrl" },
};

async function esbuildBundle(entry, outfile, { chunked = false } = {}) {
  await build({
    ...BUILD_OPTIONS,
    stdin: { contents: entry, resolveDir: root, sourcefile: "release-entry.ts", loader: "ts" },
    outfile,
    banner: {
      js: 'Object.defineProperty(globalThis,"__kubemendImportMetaUrl",{get(){const sea=!require("node:v8").startupSnapshot.isBuildingSnapshot()&&require("node:sea").isSea();return require("node:url").pathToFileURL(sea?process.execPath:__filename).href}});',
    },
    plugins: [
      ...(chunked ? [chunkStubs] : []),
      stringWidth4,
      lazyBuiltins,
      lazyCreateRequire,
      {
        name: "plugin-main-without-tla",
        setup(b) {
          b.onLoad({ filter: /plugins[\\/]kubectl-[a-z]+[\\/]src[\\/]main\.ts$/ }, async (args) => {
            const src = await readFile(args.path, "utf8");
            const hits = src.match(/^await main\(/gm)?.length ?? 0;
            if (hits !== 1)
              throw new Error(`${args.path}: expected one top-level "await main(", found ${hits}`);
            return { contents: src.replace(/^await main\(/m, "export default ("), loader: "ts" };
          });
        },
      },
    ],
  });
  return outfile;
}

// The darwin-arm64 launcher. POSIX sh, because krew links ~/.krew/bin/kubectl-<plugin> to it and
// macOS has no readlink -f before 12.3. launch.cjs is ES5 so that any Node can say it is too old.
const LAUNCHER_SH = `#!/bin/sh
# kubemend for macOS on Apple Silicon: the bundled plugins, run by the Node.js on PATH.
self=$0
while [ -L "$self" ]; do
  target=$(readlink "$self")
  case $target in
    /*) self=$target ;;
    *) self=$(dirname "$self")/$target ;;
  esac
done
if ! command -v node >/dev/null 2>&1; then
  echo "kubemend: needs Node.js 22.19 or newer on PATH, and finds none; install it: brew install node (or https://nodejs.org)" >&2
  exit 127
fi
KUBEMEND_ARGV0=$(basename "$0") exec node "$(dirname "$self")/launch.cjs" "$@"
`;
const LAUNCH_CJS = `"use strict";
var v = process.versions.node.split(".").map(Number);
if (v[0] < 22 || (v[0] === 22 && v[1] < 19)) {
  process.stderr.write("kubemend: needs Node.js 22.19 or newer on PATH, finds " + process.version + "; upgrade it: brew upgrade node (or https://nodejs.org)\\n");
  process.exit(127);
}
globalThis.__kubemendName = process.env.KUBEMEND_ARGV0;
delete process.env.KUBEMEND_ARGV0;
require("./kubemend.cjs");
`;

/** An archive of the bundle, its launcher and LICENSE: for a platform we must not ship a binary for. */
async function buildLauncher(name, main) {
  const stage = path.join(work, name);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  await writeFile(path.join(stage, "kubemend"), LAUNCHER_SH, { mode: 0o755 });
  await writeFile(path.join(stage, "launch.cjs"), LAUNCH_CJS);
  await copyFile(main, path.join(stage, "kubemend.cjs"));
  await copyFile(path.join(root, "LICENSE"), path.join(stage, "LICENSE"));
  const bundle = `${(statSync(main).size / 1e6).toFixed(1)} MB`;
  return archiveStage(
    name,
    stage,
    ["kubemend", "kubemend.cjs", "launch.cjs", "LICENSE"],
    `launcher, bundle ${bundle}`,
  );
}

async function buildPlatform(name, { full, seaMain }, assets) {
  const t = PLATFORMS[name];
  if (t.launcher) return buildLauncher(name, full);
  const nodeVersion = nodeVersionFor(t.pkg);
  if (!nodeVersion) {
    console.error(`release: ${name}: skipped: the npm registry has no node-${t.pkg}@${NODE_MAJOR}.x`);
    return undefined;
  }
  const native = name === HOST;
  if (native && nodeVersion !== process.versions.node)
    throw new Error(`host build needs node-${t.pkg}@${process.versions.node}, registry has ${nodeVersion}`);
  // Both are V8-build and CPU specific: only for the machine we build on. With a snapshot, Node
  // ignores the code cache.
  const snapshot = native && !values["no-snapshot"];
  const codeCache = native && !snapshot && !values["no-code-cache"];
  const node = await nodeBinary(t.pkg, nodeVersion);
  const stage = path.join(work, name);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });

  // The blob is written by the Node we run on; it must be the same Node 24 line as the target.
  const blob = path.join(stage, "sea.blob");
  const config = path.join(stage, "sea-config.json");
  await writeFile(
    config,
    JSON.stringify({
      main: seaMain,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: codeCache,
      useSnapshot: snapshot,
      // The launchers' small young generation (scripts/bundle.mjs), one size for the one binary:
      // without it a 1 GiB etcdsnap save peaked at 168 MB, with it at 138 MB (Node >= 24.7).
      execArgv: ["--max-semi-space-size=4"],
      assets,
    }),
  );
  sh(process.execPath, ["--experimental-sea-config", config], { cwd: stage });

  const exe = path.join(stage, `kubemend${t.exe}`);
  const { postject, unsign } = releaseTools();
  let image = await readFile(node);
  if (t.os === "darwin") {
    // Injection breaks Node's signature and a broken signature is worse than none: strip it. No
    // registry ships a tool that re-signs (even ad hoc) from Linux, so darwin binaries are unsigned.
    const unsigned = unsign(image);
    if (unsigned) image = Buffer.from(unsigned);
  }
  await writeFile(exe, image);
  await chmod(exe, 0o755);
  await postject.inject(exe, "NODE_SEA_BLOB", await readFile(blob), {
    sentinelFuse: "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
    ...(t.os === "darwin" ? { machoSegmentName: "NODE_SEA" } : {}),
  });

  if (native) {
    // Smoke test through the names kubectl and krew use.
    const link = path.join(stage, "check", "kubectl-certs");
    await mkdir(path.dirname(link), { recursive: true });
    await copyFile(exe, link);
    await chmod(link, 0o755);
    const help = sh(link, ["--help"]);
    if (!help.includes("kubectl certs")) throw new Error(`${name}: kubectl-certs --help printed:\n${help}`);
    await rm(path.dirname(link), { recursive: true });
  }

  await copyFile(path.join(root, "LICENSE"), path.join(stage, "LICENSE"));
  return archiveStage(
    name,
    stage,
    [`kubemend${t.exe}`, "LICENSE"],
    `node ${nodeVersion}, ${snapshot ? "startup snapshot" : `code cache ${codeCache}`}, binary ${(statSync(exe).size / 1e6).toFixed(1)} MB`,
  );
}

/** The release archive of a staged platform, with its .sha256 beside it. */
async function archiveStage(name, stage, files, what) {
  const t = PLATFORMS[name];
  const archive = `kubemend_${version}_${t.os}_${t.arch}.tar.gz`;
  const archivePath = path.join(outDir, archive);
  sh("tar", [
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "--mtime=@0",
    "--sort=name",
    "-czf",
    archivePath,
    "-C",
    stage,
    ...files,
  ]);
  const sha = createHash("sha256")
    .update(await readFile(archivePath))
    .digest("hex");
  await writeFile(`${archivePath}.sha256`, `${sha}  ${archive}\n`);
  const mb = (file) => `${(statSync(file).size / 1e6).toFixed(1)} MB`;
  console.log(`release: ${archive}: ${what}, archive ${mb(archivePath)}, sha256 ${sha}`);
  return archive;
}

// Krew manifests. Descriptions follow krew's naming guide and index criteria: say what the plugin
// does without repeating "kubectl" or "plugin"; caveats only where they hold.
const KREW = {
  certs: {
    short: "Find expiring and mismatched cluster certificates",
    description: `Lists every certificate that can take a self-managed cluster down, with its
expiry: control-plane PKI and kubeconfigs on disk, certificates the API server,
etcd and kubelets serve, TLS secrets, webhook and APIService CA bundles, and
bootstrap tokens. Also checks SANs and chains, and served-versus-on-disk drift.

  kubectl certs expiry
  kubectl certs sans
  kubectl certs inspect <file|secret|host:port>
`,
    caveats: `The pki and kubeconfig sources read /etc/kubernetes: run those checks on a
control-plane node (usually as root). The cluster sources need read access to
secrets, webhook configurations, APIServices and nodes.
`,
  },
  csr: {
    short: "Approve kubelet serving CSRs only when provably valid",
    description: `Lists CertificateSigningRequests and approves kubelet serving certificates only
when they provably belong to the node that asks (node name, addresses, signer,
key usages), explaining every refusal. Can also deny, and watch as an
in-cluster approver with leader election.

  kubectl csr list
  kubectl csr approve-serving
  kubectl csr deny <name>
`,
    caveats: `Approving needs RBAC to update certificatesigningrequests/approval and to
approve for the kubernetes.io/kubelet-serving signer.
`,
  },
  etcdsnap: {
    short: "Save, verify and restore etcd snapshots",
    description: `Takes etcd snapshots and verifies them (hash, revision, size), lists and prunes
them, and plans and performs restores that avoid the stale-revision trap of a
restored member rejoining a cluster.

  kubectl etcdsnap save
  kubectl etcdsnap status <file>
  kubectl etcdsnap restore-plan <file>
`,
    caveats: `Saving and restoring need the etcd client certificates, usually readable only
as root on a control-plane node (/etc/kubernetes/pki/etcd).
`,
  },
  netcheck: {
    short: "Diagnose why a Service, pod or DNS does not work",
    description: `Finds the broken layer when a Service, a pod, cluster DNS or the cluster
network does not work (selectors, endpoints, ports, readiness, kube-proxy,
CoreDNS, CNI, NetworkPolicies) and tells how to fix it.

  kubectl netcheck svc <name>
  kubectl netcheck pod <name>
  kubectl netcheck dns
  kubectl netcheck policy
`,
  },
};

async function writeManifests() {
  const archives = (await readdir(outDir)).filter(
    (f) => f.startsWith(`kubemend_${version}_`) && f.endsWith(".tar.gz"),
  );
  const platforms = [];
  for (const archive of archives.sort()) {
    const [, , os, arch] = archive.replace(/\.tar\.gz$/, "").split("_");
    const sha = (await readFile(path.join(outDir, `${archive}.sha256`), "utf8"))
      .split(/\s+/)[0]
      .toLowerCase();
    const bin = os === "windows" ? "kubemend.exe" : "kubemend";
    // The binary and LICENSE, or the launcher's files as well.
    const files = sh("tar", ["tzf", path.join(outDir, archive)])
      .split("\n")
      .filter(Boolean);
    platforms.push({
      selector: { matchLabels: { os, arch } },
      uri: `${REPO_URL}/releases/download/v${version}/${archive}`,
      sha256: sha,
      files: files.map((from) => ({ from, to: "." })),
      bin,
    });
  }
  await mkdir(path.join(krewDir, "index", "plugins"), { recursive: true });
  for (const name of PLUGINS) {
    const k = KREW[name];
    const manifest = {
      apiVersion: "krew.googlecontainertools.github.com/v1alpha2",
      kind: "Plugin",
      metadata: { name },
      spec: {
        version: `v${version}`,
        homepage: REPO_URL,
        shortDescription: k.short,
        description: k.description,
        ...(k.caveats ? { caveats: k.caveats } : {}),
        platforms,
      },
    };
    const text = `# Generated by scripts/release.mjs from dist/release; do not edit.\n${yaml.dump(manifest, { lineWidth: -1 })}`;
    await writeFile(path.join(krewDir, `${name}.yaml`), text);
    await writeFile(path.join(krewDir, "index", "plugins", `${name}.yaml`), text);
  }
  console.log(
    `release: krew manifests for v${version}: ${platforms.map((p) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`).join(", ")}`,
  );
}

// The launcher's Node loads one whole bundle; the single binary, its main script and the chunks.
const full = await bundle("kubemend.cjs", { chunked: false });
const seaMain = await bundle("kubemend-sea.cjs", { chunked: true });
const assets = { ...(await helpAssets()), ...(await buildChunks()) };
for (const name of wanted) await buildPlatform(name, { full, seaMain }, assets);
await writeManifests();
