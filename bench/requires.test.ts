import { mkdtempSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { missingCommands } from "./requires.js";

describe("missingCommands", () => {
  it("names the subcommands a plugin's help does not list, and plugins that are not built", async () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), "bench-requires-"));
    await mkdir(path.join(repo, "bin"));
    const help =
      "Commands:\n  kubectl csr list   List CSRs\n  kubectl csr approve-serving [names..]  Approve\n";
    writeFileSync(path.join(repo, "bin", "kubectl-csr"), `#!/bin/sh\nprintf '${help}'\n`, { mode: 0o755 });
    expect(
      await missingCommands(repo, [
        { plugin: "csr", command: "approve-serving" },
        { plugin: "csr", command: "approve" },
        { plugin: "netcheck", command: "svc" },
      ]),
    ).toEqual([
      "`kubectl csr approve` does not exist yet (plugins/kubectl-csr)",
      expect.stringMatching(/^kubectl-netcheck is not built or does not start/),
    ]);
  });
});
