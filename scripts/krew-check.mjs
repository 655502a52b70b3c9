// The distribution check CI runs (step of scripts/test.mjs): builds this machine's release archive
// and krew manifests into a scratch directory with scripts/release.mjs, validates each manifest
// with krew's own validate-krew-manifest, then for each of the four plugins installs it with the
// real krew from that archive, runs it through kubectl as a user would, and uninstalls it.
//
// validate-krew-manifest runs with -skip-install: its install step downloads every platform's
// archive from the manifest's URI, and this machine has no network. The real install below uses
// `--archive`, which is how krew installs a release before it is published.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
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

/**
 * The launcher with a Node that is too old (Debian's, when it is older than 22.19) and with none:
 * one line saying so, exit 127, as a shell says for a missing command.
 */
function launcherRefusals(installed) {
  const noNode = mkdtempSync(path.join(scratch, "no-node-"));
  for (const tool of ["basename", "dirname", "readlink"])
    symlinkSync(
      execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim(),
      path.join(noNode, tool),
    );
  const cases = [["none", noNode, /^kubemend: needs Node\.js 22\.19 or newer on PATH, and finds none; /]];
  const system = spawnSync("/usr/bin/node", ["-p", "process.versions.node"], {
    encoding: "utf8",
  }).stdout?.trim();
  const [major, minor] = (system ?? "").split(".").map(Number);
  if (system && (major < 22 || (major === 22 && minor < 19)))
    cases.push([
      "old",
      "/usr/bin:/bin",
      new RegExp(
        `^kubemend: needs Node\\.js 22\\.19 or newer on PATH, finds v${system.replaceAll(".", "\\.")}; `,
      ),
    ]);
  for (const [what, PATH, message] of cases) {
    const r = spawnSync(installed, ["--help"], { env: { PATH }, encoding: "utf8" });
    console.log(`$ PATH=${PATH} ${installed} --help  (${what} Node)\n  ${r.stderr.trim()}`);
    if (r.status !== 127 || !message.test(r.stderr) || r.stderr.trim().includes("\n"))
      throw new Error(`the launcher with ${what} Node: exit ${r.status}, stderr ${JSON.stringify(r.stderr)}`);
  }
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
  const archiveFor = (platform) => {
    const archive = readdirSync(release).find((f) => f.endsWith(`_${platform}.tar.gz`));
    if (!archive) throw new Error(`release.mjs wrote no ${platform} archive into ${release}`);
    return path.join(release, archive);
  };
  // This machine's single binary, and the darwin-arm64 launcher archive, which krew installs here
  // as it would on a Mac (KREW_OS/KREW_ARCH choose the platform) and which runs with this Node.
  const installs = [
    { platform: "linux_amd64", archive: archiveFor("linux_amd64"), krewEnv: {} },
    {
      platform: "darwin_arm64",
      archive: archiveFor("darwin_arm64"),
      krewEnv: { KREW_OS: "darwin", KREW_ARCH: "arm64" },
    },
  ];

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
    for (const { platform, archive, krewEnv } of installs) {
      run("kubectl", ["krew", "install", `--manifest=${manifest}`, `--archive=${archive}`], {
        ...env,
        ...krewEnv,
      });
      const installed = path.join(krewRoot, "bin", `kubectl-${plugin}`);
      if (!existsSync(installed)) throw new Error(`krew installed no ${installed} (${platform})`);
      const help = run("kubectl", [plugin, "--help"], env, 5);
      if (!help.includes(`kubectl ${plugin}`))
        throw new Error(
          `kubectl ${plugin} --help through the ${platform} krew install did not print its usage`,
        );
      if (platform === "darwin_arm64") launcherRefusals(installed);
      run("kubectl", ["krew", "uninstall", plugin], { ...env, ...krewEnv });
      if (existsSync(installed)) throw new Error(`krew uninstall left ${installed}`);
    }
  }
  console.log(
    `krew: ${PLUGINS.length} plugins validated, installed for ${installs.map((i) => i.platform).join(" and ")}, run through kubectl and uninstalled`,
  );
} catch (err) {
  console.error(`krew check failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
