import { execFileSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Suite } from "../suite.js";
import { benchSnapshots } from "./etcd-snapshots.js";
import { tabPresses } from "./startup-sea.js";

// What Node itself costs a single executable, measured against the same peers as the startup-sea,
// completion-sea and etcd-status-sea suites: the least those ratios can be, whatever kubemend does.

/** Node's fuse that marks a binary as holding a single-executable blob (as scripts/release.mjs). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/**
 * A single executable of the Node running the benchmarks (the release is built from the same one)
 * named `name` in a directory of its own, whose main script is `main`; with `snapshot`, `main`
 * builds its startup snapshot.
 */
async function nodeOnly(
  repo: string,
  name: string,
  main: string,
  snapshot: boolean,
): Promise<{ exe: string; dir: string; remove(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "kubemend-sea-floor-"));
  const tools = path.join(repo, ".tools", "release-tools");
  if (!existsSync(path.join(tools, "node_modules", "postject")))
    throw new Error("postject is not installed: run `node scripts/release.mjs` first");
  const script = path.join(dir, `${name}.cjs`);
  const config = path.join(dir, `${name}.json`);
  const blob = path.join(dir, `${name}.blob`);
  writeFileSync(script, main);
  writeFileSync(
    config,
    JSON.stringify({
      main: script,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: snapshot,
      useCodeCache: false,
    }),
  );
  execFileSync(process.execPath, ["--experimental-sea-config", config], { stdio: "ignore" });
  const injected = path.join(dir, `${name}.injected`);
  copyFileSync(process.execPath, injected);
  const { inject } = createRequire(path.join(tools, "package.json"))("postject") as {
    inject(file: string, resource: string, data: Buffer, options: { sentinelFuse: string }): Promise<void>;
  };
  await inject(injected, "NODE_SEA_BLOB", readFileSync(blob), { sentinelFuse: SEA_FUSE });
  const exe = path.join(dir, name);
  copyInPages(injected, exe);
  chmodSync(exe, 0o755);
  return { exe, dir, remove: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A copy written 4 KiB at a time, as tar unpacks the release. postject writes the binary in one
 * call, and a file written so peaked up to 18 MB higher until the page cache was dropped.
 */
function copyInPages(from: string, to: string): void {
  const src = openSync(from, "r");
  const dst = openSync(to, "w");
  try {
    const page = Buffer.alloc(4096);
    for (let n = readSync(src, page); n > 0; n = readSync(src, page)) writeSync(dst, page, 0, n);
  } finally {
    closeSync(src);
    closeSync(dst);
  }
}

/** Node's start-up against etcdutl's whole `snapshot status` of a small file. */
export const seaFloorStatus: Suite = {
  name: "sea-floor-status",
  describe:
    "a single executable of this Node that runs nothing versus etcdutl snapshot status, 1 MiB: the least etcd-status-sea can be",
  async prepare({ repo }) {
    const noop = await nodeOnly(repo, "noop", "", false);
    const files = await benchSnapshots(7, 1, 1);
    return {
      a: { label: "single executable, no code", argv: [noop.exe] },
      b: {
        label: "etcdutl snapshot status",
        argv: [files.etcdutl, "snapshot", "status", files.a, "-w", "json"],
      },
      teardown: noop.remove,
    };
  },
};

/** A Tab press whose plugin does nothing: kubectl's part of completion-sea. */
export const seaFloorCompletion: Suite = {
  name: "sea-floor-completion",
  describe:
    "kubectl __complete certs inspect '' with a kubectl_complete-certs that runs nothing (a single executable of this Node) versus kubectl __complete get '', no cluster: the least completion-sea can be",
  async prepare({ repo }) {
    // kubectl completes a plugin's words only when the plugin (kubectl-certs) is on PATH too.
    const noop = await nodeOnly(repo, "kubectl_complete-certs", "", false);
    symlinkSync(path.basename(noop.exe), path.join(noop.dir, "kubectl-certs"));
    return {
      ...tabPresses(noop.dir, repo, "kubectl __complete certs inspect '', plugin runs nothing"),
      teardown: noop.remove,
    };
  },
};

/** What a startup snapshot with nothing of ours in it costs, against startup-sea's peer. */
export const seaFloorSnapshot: Suite = {
  name: "sea-floor-snapshot",
  describe:
    "a single executable of this Node with an empty startup snapshot versus kubectl version --client: the least startup-sea's time and peak RSS can be with a snapshot",
  async prepare({ repo }) {
    const empty = await nodeOnly(
      repo,
      "empty-snapshot",
      'require("node:v8").startupSnapshot.setDeserializeMainFunction(() => {});',
      true,
    );
    return {
      a: { label: "single executable, empty startup snapshot", argv: [empty.exe] },
      b: { label: "kubectl version --client", argv: ["kubectl", "version", "--client"] },
      teardown: empty.remove,
    };
  },
};
