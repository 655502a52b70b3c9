import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Prepared, Suite } from "../suite.js";
import { benchSnapshots } from "./etcd-snapshots.js";

const OS: Record<string, string> = { linux: "linux", darwin: "darwin", win32: "windows" };
const ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64" };

/** The environment in which `dir`, never the repo's bin/ launchers, answers for the plugins. */
export function pluginsFrom(dir: string, repo: string): NodeJS.ProcessEnv {
  const others = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== path.join(repo, "bin"));
  return { ...process.env, PATH: [dir, ...others].join(path.delimiter) };
}

/**
 * A Tab press on `kubectl certs inspect ` answered by the plugins in `dir`, and one on `kubectl get `
 * (kubectl's own), with no cluster: kubectl's side asks none either.
 */
export function tabPresses(dir: string, repo: string, label: string): Pick<Prepared, "a" | "b"> {
  const env = { ...pluginsFrom(dir, repo), KUBECONFIG: path.join(dir, "no-such-kubeconfig") };
  return {
    a: { label, argv: ["kubectl", "__complete", "certs", "inspect", ""], env },
    b: { label: "kubectl __complete get ''", argv: ["kubectl", "__complete", "get", ""], env },
  };
}

/**
 * The release's single-executable binary from dist/release (built by `node scripts/release.mjs`),
 * unpacked into a directory with the names it runs under (kubectl-certs, kubectl_complete-certs, …).
 */
function unpackRelease(repo: string): { dir: string; env: NodeJS.ProcessEnv; remove(): void } {
  const version = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")).version;
  const archive = path.join(
    repo,
    "dist",
    "release",
    `kubemend_${version}_${OS[process.platform]}_${ARCH[process.arch]}.tar.gz`,
  );
  if (!existsSync(archive))
    throw new Error(`${archive} does not exist: run \`node scripts/release.mjs\` first`);
  const dir = mkdtempSync(path.join(tmpdir(), "kubemend-sea-"));
  execFileSync("tar", ["xzf", archive, "-C", dir]);
  const exe = process.platform === "win32" ? ".exe" : "";
  // kubectl runs kubectl_complete-<plugin> for a Tab press on `kubectl <plugin> …`.
  for (const plugin of ["certs", "csr", "etcdsnap", "netcheck"])
    for (const name of [`kubectl-${plugin}`, `kubectl_complete-${plugin}`])
      symlinkSync(`kubemend${exe}`, path.join(dir, `${name}${exe}`));
  return {
    dir,
    env: pluginsFrom(dir, repo),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** CLI start-up of the release binary, run as krew runs it, against kubectl's own client-only command. */
export const startupSea: Suite = {
  name: "startup-sea",
  describe: "SEA kubectl-certs --help (release binary) versus kubectl version --client",
  goal: { ratio: 1.3, rssRatio: 1.2 },
  async prepare({ repo }) {
    const release = unpackRelease(repo);
    return {
      a: { label: "kubectl-certs --help (SEA)", argv: [path.join(release.dir, "kubectl-certs"), "--help"] },
      b: { label: "kubectl version --client", argv: ["kubectl", "version", "--client"] },
      async teardown() {
        release.remove();
      },
    };
  },
};

/** A Tab press: kubectl runs the plugin with __complete. No cluster: kubectl's side asks none either. */
export const completionSea: Suite = {
  name: "completion-sea",
  describe:
    "kubectl __complete certs inspect '' (release binary) versus kubectl __complete get '', no cluster",
  goal: { ratio: 1.3 },
  async prepare({ repo }) {
    const release = unpackRelease(repo);
    return {
      ...tabPresses(release.dir, repo, "kubectl __complete certs inspect ''"),
      async teardown() {
        release.remove();
      },
    };
  },
};

/** `etcdsnap status` of a small snapshot, against etcdutl's, where start-up is most of the time. */
export const etcdStatusSea: Suite = {
  name: "etcd-status-sea",
  describe: "kubectl-etcdsnap status (release binary) versus etcdutl snapshot status, on a 1 MiB snapshot",
  goal: { ratio: 1.2 },
  async prepare({ repo }) {
    const release = unpackRelease(repo);
    const files = await benchSnapshots(7, 1, 1);
    return {
      a: {
        label: "kubectl-etcdsnap status (SEA)",
        argv: [path.join(release.dir, "kubectl-etcdsnap"), "status", files.a, "-o", "json"],
      },
      b: {
        label: "etcdutl snapshot status",
        argv: [files.etcdutl, "snapshot", "status", files.a, "-w", "json"],
      },
      async teardown() {
        release.remove();
      },
    };
  },
};
