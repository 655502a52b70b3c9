import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createCertificate, generateKey } from "@kubemend/lib/x509/issue";
import { describe, expect, it } from "vitest";
import { writeKubeconfig } from "../env/kubeconfig-file.js";
import { hostKubectl, kubectlOnTerminal, kubectlPlugin, PLUGIN_BIN, PLUGINS, REPO } from "./plugins.js";

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

  // The tests run the pinned kubectl; users run whatever kubectl they have.
  it.each(PLUGINS)(
    "the host's own kubectl also dispatches %s and completes its subcommands",
    async (plugin) => {
      const help = await hostKubectl([plugin, "--help"]);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toContain(`Usage: kubectl ${plugin} <command> [flags]`);
      const pinned = await kubectlPlugin(["__complete", plugin, ""]);
      const host = await hostKubectl(["__complete", plugin, ""]);
      expect(host.code, host.stderr).toBe(0);
      expect(host.stdout).toBe(pinned.stdout);
    },
  );

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

  /** A kubeconfig whose client certificate expired yesterday: a critical finding with no server. */
  async function expiredKubeconfig(): Promise<string> {
    const key = await generateKey("ecdsa-p256");
    const day = 86_400_000;
    const certPem = await createCertificate({
      subject: { cn: "expired-admin", o: ["kubeadm:cluster-admins"] },
      keyUsages: ["digital signature"],
      extKeyUsages: ["client auth"],
      isCA: false,
      notBefore: new Date(Date.now() - 30 * day),
      notAfter: new Date(Date.now() - day),
      publicKey: key.privateKey,
    });
    const kubeconfig = `${mkdtempSync(path.join(os.tmpdir(), "kubemend-color-"))}/config`;
    await writeKubeconfig(kubeconfig, {
      server: "https://127.0.0.1:9",
      caPem: certPem,
      user: { certPem, keyPem: key.privateKeyPem },
    });
    return kubeconfig;
  }

  it("on a terminal the findings table is coloured, and NO_COLOR or --color=never leaves no ANSI escape", async () => {
    const kubeconfig = await expiredKubeconfig();
    const command = ["certs", "expiry", "--source", "kubeconfig", "--kubeconfig", kubeconfig];
    const tty = await kubectlOnTerminal(command);
    expect(tty.stdout).toContain("CERT_EXPIRED");
    expect(tty.stdout.includes(ESC)).toBe(true);
    const noColor = await kubectlOnTerminal(command, { NO_COLOR: "1" });
    expect(noColor.stdout).toContain("CERT_EXPIRED");
    expect(noColor.stdout.includes(ESC)).toBe(false);
    const never = await kubectlOnTerminal([...command, "--color=never"]);
    expect(never.stdout).toContain("CERT_EXPIRED");
    expect(never.stdout.includes(ESC)).toBe(false);
  });

  it("off a terminal --color=always colours the findings table, even with NO_COLOR", async () => {
    const args = [
      "certs",
      "expiry",
      "--source",
      "kubeconfig",
      "--kubeconfig",
      await expiredKubeconfig(),
      "-o",
      "table",
    ];
    const plain = await kubectlPlugin(args);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain("CERT_EXPIRED");
    expect(plain.stdout.includes(ESC)).toBe(false);
    const coloured = await kubectlPlugin([...args, "--color=always"], { NO_COLOR: "1" });
    expect(coloured.stdout).toContain("CERT_EXPIRED");
    expect(coloured.stdout.includes(ESC)).toBe(true);
  });
});
