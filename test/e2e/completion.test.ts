import { describe, expect, it } from "vitest";
import { kubectlPlugin, PLUGINS } from "./plugins.js";

// kubectl (>= 1.26) completes `kubectl <plugin> …` by running kubectl_complete-<plugin> from PATH;
// `kubectl __complete …` is what the shell's completion script calls.
const SUBCOMMANDS: Record<(typeof PLUGINS)[number], string[]> = {
  certs: ["expiry", "sans", "inspect"],
  csr: ["list", "approve-serving", "deny"],
  etcdsnap: ["save", "status", "list", "prune", "restore-plan", "restore"],
  netcheck: ["svc", "pod", "dns", "cluster", "policy"],
};

function candidates(stdout: string): string[] {
  return stdout
    .trimEnd()
    .split("\n")
    .map((l) => l.split("\t")[0] as string);
}

describe("completion through kubectl", () => {
  it.each(PLUGINS)("kubectl __complete %s '' lists the subcommands", async (plugin) => {
    const result = await kubectlPlugin(["__complete", plugin, ""]);
    expect(result.code).toBe(0);
    const got = candidates(result.stdout);
    for (const sub of SUBCOMMANDS[plugin]) expect(got).toContain(sub);
    expect(got.at(-1)).toBe(":4");
  });

  it("completes a subcommand's flags and a flag's choices", async () => {
    const flags = candidates((await kubectlPlugin(["__complete", "certs", "expiry", "--"])).stdout);
    expect(flags).toContain("--source");
    expect(flags).toContain("--kubeconfig");
    const colors = candidates((await kubectlPlugin(["__complete", "csr", "list", "--color", ""])).stdout);
    expect(colors).toEqual(["auto", "always", "never", ":4"]);
  });
});
