import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { kubectlPlugin, PLUGIN_BIN, PLUGINS, REPO } from "./plugins.js";

const ESC = "\u001b[";

describe("plugins as kubectl sees them", () => {
  it("kubectl plugin list shows all four", async () => {
    const result = await kubectlPlugin(["plugin", "list"]);
    for (const plugin of PLUGINS) expect(result.stdout).toContain(path.join(PLUGIN_BIN, `kubectl-${plugin}`));
  });

  it.each(PLUGINS)("kubectl %s --help runs the plugin and prints its synopsis", async (plugin) => {
    const result = await kubectlPlugin([plugin, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: kubectl ${plugin} <command> [flags]`);
    expect(result.stdout).toContain("--kubeconfig");
    expect(result.stdout).toContain("--request-timeout");
    expect(result.stderr).toBe("");
  });

  it.each(PLUGINS)("kubectl %s --version prints the release", async (plugin) => {
    const version = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version;
    const result = await kubectlPlugin([plugin, "--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it("a bad flag is one error line plus a hint, exit 2, no stack trace", async () => {
    const result = await kubectlPlugin(["certs", "--no-such-flag"]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error: .*no-such-flag/);
    expect(lines[1]).toMatch(/^ {2}hint: see 'kubectl certs --help'/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("NO_COLOR and --color=never leave no ANSI escapes", async () => {
    const plain = await kubectlPlugin(["netcheck", "--help"], { NO_COLOR: "1" });
    expect(plain.stdout.includes(ESC)).toBe(false);
    const never = await kubectlPlugin(["csr", "--help", "--color=never"]);
    expect(never.stdout.includes(ESC)).toBe(false);
  });
});
