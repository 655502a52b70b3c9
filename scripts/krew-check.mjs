// The distribution check CI runs (step of scripts/test.mjs): builds this machine's release archive
// and krew manifests into a scratch directory with scripts/release.mjs, validates each manifest
// with krew's own validate-krew-manifest, then for each of the four plugins installs it with the
// real krew from that archive, runs it through kubectl as a user would, and uninstalls it.
//
// validate-krew-manifest runs with -skip-install: its install step downloads every platform's
// archive from the manifest's URI, and this machine has no network. The real install below uses
// `--archive`, which is how krew installs a release before it is published.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PLUGINS = ["certs", "csr", "etcdsnap", "netcheck"];

// --release DIR: an archive and manifests release.mjs already made (make test makes them once).
const { values } = parseArgs({ options: { release: { type: "string" } } });
const scratch = mkdtempSync(path.join(tmpdir(), "kubemend-krew-"));
const release = values.release ?? path.join(scratch, "release");
const manifests = path.join(release, "krew");
const krewRoot = path.join(scratch, "krew-root");

/** Runs a command, echoing it and (up to maxLines lines of) its output into the CI log. */
function run(command, args, env = process.env, maxLines = Infinity) {
  console.log(`$ ${[command, ...args].join(" ")}`);
  const r = spawnSync(command, args, { env, encoding: "utf8" });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`.trimEnd();
  const lines = output.split("\n");
  const shown = lines.length > maxLines ? [...lines.slice(0, maxLines), "…"] : lines;
  if (output) console.log(shown.join("\n").replace(/^/gm, "  "));
  if (r.status !== 0) throw new Error(`${command} ${args[0] ?? ""} exited ${r.status ?? r.signal}`);
  return output;
}

try {
  const tools = execFileSync("bash", [path.join(root, "scripts/krew-tools.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  if (!values.release)
    run(process.execPath, [
      path.join(root, "scripts/release.mjs"),
      "--out",
      release,
      "--krew-dir",
      manifests,
    ]);
  const [archive] = readdirSync(release).filter((f) => f.endsWith(".tar.gz"));
  if (!archive) throw new Error(`release.mjs wrote no archive into ${release}`);

  // Only krew's bin and its tools on PATH before the system's: the repo's bin/ launchers must not
  // answer for the krew-installed plugin.
  const systemPath = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => path.resolve(dir) !== path.join(root, "bin"));
  const env = {
    ...process.env,
    KREW_ROOT: krewRoot,
    PATH: [path.join(krewRoot, "bin"), tools, ...systemPath].join(path.delimiter),
  };
  // The custom index users add with `kubectl krew index add`: a git repository holding plugins/*.yaml.
  // krew's uninstall also refuses to run without any index.
  const index = path.join(manifests, "index");
  const git = (...args) =>
    run("git", ["-C", index, "-c", "user.name=kubemend", "-c", "user.email=ci@kubemend.invalid", ...args]);
  git("init", "-q");
  git("add", "plugins");
  git("commit", "-q", "-m", "kubemend krew index");
  run("kubectl", ["krew", "index", "add", "kubemend", index], env);
  const listed = run("kubectl", ["krew", "search"], env);
  for (const plugin of PLUGINS)
    if (!listed.includes(`kubemend/${plugin}`))
      throw new Error(`krew search does not list kubemend/${plugin}`);

  for (const plugin of PLUGINS) {
    const manifest = path.join(manifests, `${plugin}.yaml`);
    run(path.join(tools, "validate-krew-manifest"), ["-skip-install", "-manifest", manifest]);
    run(
      "kubectl",
      ["krew", "install", `--manifest=${manifest}`, `--archive=${path.join(release, archive)}`],
      env,
    );
    const installed = path.join(krewRoot, "bin", `kubectl-${plugin}`);
    if (!existsSync(installed)) throw new Error(`krew installed no ${installed}`);
    const help = run("kubectl", [plugin, "--help"], env, 5);
    if (!help.includes(`kubectl ${plugin}`))
      throw new Error(`kubectl ${plugin} --help through the krew install did not print its usage`);
    run("kubectl", ["krew", "uninstall", plugin], env);
    if (existsSync(installed)) throw new Error(`krew uninstall left ${installed}`);
  }
  console.log(`krew: ${PLUGINS.length} plugins validated, installed, run through kubectl and uninstalled`);
} catch (err) {
  console.error(`krew check failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
