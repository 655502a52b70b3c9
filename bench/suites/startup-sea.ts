import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Suite } from "../suite.js";

const OS: Record<string, string> = { linux: "linux", darwin: "darwin", win32: "windows" };
const ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64" };

/**
 * CLI start-up of the release: the single-executable binary from dist/release (built by
 * `node scripts/release.mjs`), run as krew runs it (kubectl-certs linked to kubemend), against
 * kubectl's own client-only command. The startup suite measures the plain bundle the same way.
 */
export const startupSea: Suite = {
  name: "startup-sea",
  describe: "SEA kubectl-certs --help (release binary) versus kubectl version --client",
  async prepare({ repo }) {
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
    const exe = process.platform === "win32" ? "kubemend.exe" : "kubemend";
    const link = path.join(dir, process.platform === "win32" ? "kubectl-certs.exe" : "kubectl-certs");
    symlinkSync(exe, link);
    return {
      a: { label: "kubectl-certs --help (SEA)", argv: [link, "--help"] },
      b: { label: "kubectl version --client", argv: ["kubectl", "version", "--client"] },
      async teardown() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
