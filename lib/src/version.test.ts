import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { VERSION } from "./version.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function versionOf(packageJson: string): unknown {
  return (JSON.parse(readFileSync(packageJson, "utf8")) as { version?: unknown }).version;
}

const plugins = readdirSync(path.join(root, "plugins"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe("VERSION", () => {
  it("is a semantic version", () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  it("equals the root package.json version", () => {
    expect(versionOf(path.join(root, "package.json"))).toBe(VERSION);
  });

  it("equals lib/package.json's version", () => {
    expect(versionOf(path.join(root, "lib", "package.json"))).toBe(VERSION);
  });

  it("finds the four plugins", () => {
    expect(plugins.sort()).toEqual(["kubectl-certs", "kubectl-csr", "kubectl-etcdsnap", "kubectl-netcheck"]);
  });

  it.each(plugins)("equals plugins/%s/package.json's version", (plugin) => {
    expect(versionOf(path.join(root, "plugins", plugin, "package.json"))).toBe(VERSION);
  });
});
