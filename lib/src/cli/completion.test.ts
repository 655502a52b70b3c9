import { describe, expect, it } from "vitest";
import { cobraCompletions, type PluginSpec, runPlugin } from "./app.js";
import { ExitCode } from "./exit-codes.js";
import { bufferStreams } from "./io.js";

const spec: PluginSpec = {
  name: "demo",
  version: "0.0.0",
  summary: "A demo plugin.",
  commands: [
    {
      command: "expiry",
      describe: "Expiry",
      builder: (y) => y.option("source", { type: "string", choices: ["pki", "secrets"] }),
      create: () => {
        throw new Error("completion must not run a command");
      },
    },
    { command: "inspect <target>", describe: "Inspect", create: () => ({}) as never },
    {
      command: "approve [names..]",
      describe: "Approve",
      create: () => ({}) as never,
      // What the command would list from the cluster, with what it was given.
      completeArgs: async (ctx, typed) => ({
        names: ["csr-a1", "csr-a2", "csr-b1", `ns=${ctx.kube.namespace ?? ""}`, `typed=${typed.join(",")}`],
      }),
    },
    {
      command: "status <file>",
      describe: "Status",
      create: () => ({}) as never,
      completeArgs: async () => ({ fileExtensions: ["db"] }),
    },
    {
      command: "broken <name>",
      describe: "Broken",
      create: () => ({}) as never,
      completeArgs: async () => {
        throw new Error("the API server is down");
      },
    },
  ],
};

async function complete(...words: string[]) {
  const io = bufferStreams();
  const code = await runPlugin(spec, ["__complete", ...words], {
    io,
    clock: { now: () => new Date() },
    env: {},
  });
  return { code, lines: io.stdout().trimEnd().split("\n"), stderr: io.stderr() };
}

describe("__complete (kubectl plugin completion, cobra protocol)", () => {
  it("lists the subcommands, then the no-file directive", async () => {
    const { code, lines, stderr } = await complete("");
    expect(code).toBe(ExitCode.OK);
    expect(stderr).toBe("");
    expect(lines.map((l) => l.split("\t")[0])).toEqual([
      "expiry",
      "inspect",
      "approve",
      "status",
      "broken",
      ":4",
    ]);
  });

  it("lists a subcommand's own flags and the global ones", async () => {
    const { lines } = await complete("expiry", "--");
    expect(lines).toContain("--source");
    expect(lines).toContain("--kubeconfig");
    expect(lines).toContain("-n");
    expect(lines).not.toContain("--n");
    expect(lines.at(-1)).toBe(":4");
  });

  it("offers a flag's choices", async () => {
    expect((await complete("expiry", "--source", "")).lines).toEqual(["pki", "secrets", ":4"]);
  });

  it("formats zsh-style candidates with a tab and the default directive when empty", () => {
    expect(cobraCompletions(["a\\:b:desc: x", "--v"])).toBe("a:b\tdesc: x\n-v\n:4\n");
    expect(cobraCompletions([])).toBe(":0\n");
  });

  it("completes a positional argument with the names the command lists, filtered by the prefix", async () => {
    expect((await complete("approve", "csr-a")).lines).toEqual(["csr-a1", "csr-a2", ":4"]);
    const all = (await complete("approve", "-n", "kube-system", "csr-a1", "")).lines;
    expect(all).toContain("ns=kube-system");
    expect(all).toContain("typed=csr-a1");
    expect(all.at(-1)).toBe(":4");
  });

  it("asks the shell for files by extension where the argument is a snapshot file", async () => {
    expect((await complete("status", "")).lines).toEqual(["db", ":8"]);
  });

  it("leaves flags and flag values to the flag completion", async () => {
    expect((await complete("approve", "--")).lines).toContain("--kubeconfig");
    expect((await complete("approve", "--color", "")).lines).toEqual(["auto", "always", "never", ":4"]);
  });

  it("prints no error and no candidates when listing fails", async () => {
    const { code, lines, stderr } = await complete("broken", "");
    expect(code).toBe(ExitCode.OK);
    expect(stderr).toBe("");
    expect(lines).toEqual([":4"]);
  });
});
