// The shape krew's validate-krew-manifest (sigs.k8s.io/krew, not buildable here) checks, for the
// manifests scripts/release.mjs writes: krew/*.yaml and the custom index krew/index/plugins/*.yaml.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PLUGINS = ["certs", "csr", "etcdsnap", "netcheck"];
const version = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version as string;
// Semver with a leading v, as krew requires (k8s.io/apimachinery/pkg/util/version.ParseSemantic).
const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const OS = new Set(["linux", "darwin", "windows"]);
const ARCH = new Set(["amd64", "arm64"]);

interface Platform {
  selector?: { matchLabels?: Record<string, string> };
  uri?: string;
  sha256?: string;
  bin?: string;
  files?: { from?: string; to?: string }[];
}

const files = [
  ...PLUGINS.map((p) => path.join("krew", `${p}.yaml`)),
  ...PLUGINS.map((p) => path.join("krew", "index", "plugins", `${p}.yaml`)),
];

describe.each(files)("%s", (file) => {
  const doc = yaml.load(readFileSync(path.join(root, file), "utf8")) as {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    spec: {
      version: string;
      homepage: string;
      shortDescription: string;
      description: string;
      platforms: Platform[];
    };
  };

  it("is a krew Plugin named after its file, at the release version", () => {
    expect(doc.apiVersion).toBe("krew.googlecontainertools.github.com/v1alpha2");
    expect(doc.kind).toBe("Plugin");
    expect(doc.metadata.name).toBe(path.basename(file, ".yaml"));
    expect(doc.metadata.name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    expect(doc.spec.version).toMatch(SEMVER);
    expect(doc.spec.version).toBe(`v${version}`);
  });

  it("has descriptions in krew's style and a homepage", () => {
    expect(doc.spec.homepage).toMatch(/^https:\/\//);
    expect(doc.spec.shortDescription.length).toBeGreaterThan(0);
    expect(doc.spec.shortDescription.length).toBeLessThanOrEqual(60);
    expect(doc.spec.shortDescription).not.toMatch(/kubectl|plugin/i);
    expect(doc.spec.description.length).toBeGreaterThan(doc.spec.shortDescription.length);
  });

  it("has valid platforms whose archives carry the binary and LICENSE", () => {
    expect(doc.spec.platforms.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (const p of doc.spec.platforms) {
      const labels = p.selector?.matchLabels ?? {};
      expect(OS.has(labels.os as string), JSON.stringify(labels)).toBe(true);
      expect(ARCH.has(labels.arch as string), JSON.stringify(labels)).toBe(true);
      const key = `${labels.os}/${labels.arch}`;
      expect(seen.has(key), `duplicate platform ${key}`).toBe(false);
      seen.add(key);
      const archive = `kubemend_${version}_${labels.os}_${labels.arch}.tar.gz`;
      expect(p.uri).toBe(`https://github.com/kubemend/kubemend/releases/download/v${version}/${archive}`);
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(p.bin).toBeTruthy();
      expect(p.bin).not.toMatch(/\.js$|\.mjs$|\.cjs$/);
      if (labels.os === "windows") expect(p.bin).toMatch(/\.exe$/);
      else expect(p.bin).not.toMatch(/\.exe$/);
      const froms = (p.files ?? []).map((f) => f.from);
      expect(froms).toContain("LICENSE");
      expect(froms).toContain(p.bin);
      for (const f of p.files ?? []) expect(f.to).toBeTruthy();
    }
  });
});

it("the custom index holds exactly the four plugins, identical to krew/*.yaml", () => {
  expect(readdirSync(path.join(root, "krew", "index", "plugins")).sort()).toEqual(
    PLUGINS.map((p) => `${p}.yaml`).sort(),
  );
  for (const p of PLUGINS)
    expect(readFileSync(path.join(root, "krew", "index", "plugins", `${p}.yaml`), "utf8")).toBe(
      readFileSync(path.join(root, "krew", `${p}.yaml`), "utf8"),
    );
});

it("release.mjs writes manifests that carry the sha256 of the archive it built", () => {
  // make test builds this machine's release (linux/amd64) before the tests and names it here.
  const release = process.env.KUBEMEND_RELEASE;
  if (!release || !existsSync(release))
    throw new Error(
      "KUBEMEND_RELEASE names no release directory: make test makes one (node scripts/release.mjs --platform linux-amd64 --out DIR --krew-dir DIR/krew)",
    );
  const archive = `kubemend_${version}_linux_amd64.tar.gz`;
  // Hashed here, not read from the .sha256 file release.mjs writes beside the archive.
  const sha256 = createHash("sha256")
    .update(readFileSync(path.join(release, archive)))
    .digest("hex");
  for (const plugin of PLUGINS) {
    const doc = yaml.load(readFileSync(path.join(release, "krew", `${plugin}.yaml`), "utf8")) as {
      spec: { platforms: Platform[] };
    };
    const linux = doc.spec.platforms.find(
      (p) => p.selector?.matchLabels?.os === "linux" && p.selector.matchLabels.arch === "amd64",
    );
    expect(linux?.uri, plugin).toMatch(new RegExp(`/${archive.replaceAll(".", "\\.")}$`));
    expect(linux?.sha256, plugin).toBe(sha256);
  }
});
