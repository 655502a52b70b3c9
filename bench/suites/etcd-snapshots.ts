// Snapshot files for the etcdsnap reading suites (status, inspect, diff): a generated etcd database
// saved by etcdctl as A, then changed as a cluster changes and saved again as B. Filling 1 GiB
// through the gateway takes minutes, so the files are kept under ~/.cache/kubemend and made again
// only when the generator's parameters change (they are in the directory name).

import { execFile } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startCluster } from "../../test/env/cluster.js";
import { controlPlaneBin } from "../../test/env/controlplane-bin.js";
import { stopProcess } from "../../test/env/process.js";
import { changeEtcd, fillEtcd } from "../generators/etcd-db.js";

const run = promisify(execFile);
const MiB = 1024 * 1024;
/** Bump when the generator's output changes, so stale cached files are not reused. */
const LAYOUT = 1;
const CHANGE = { changed: 0.02, deleted: 0.01, added: 0.01 };

export interface BenchSnapshots {
  /** Saved right after the fill. */
  a: string;
  /** Saved after CHANGE. */
  b: string;
  etcdutl: string;
}

export async function benchSnapshots(seed: number, sizeMiB: number, scale: number): Promise<BenchSnapshots> {
  const bin = await controlPlaneBin();
  const bytes = Math.round(sizeMiB * MiB * scale);
  const dir = path.join(
    os.homedir(),
    ".cache",
    "kubemend",
    "bench-snapshots",
    `v${LAYOUT}-seed${seed}-${bytes}`,
  );
  const files = { a: path.join(dir, "a.db"), b: path.join(dir, "b.db"), etcdutl: path.join(bin, "etcdutl") };
  if (existsSync(files.a) && existsSync(files.b)) {
    console.error(`bench: reusing the snapshots in ${dir}`);
    return files;
  }
  mkdirSync(dir, { recursive: true });
  // etcd alone: an API server would choke on the generated values (see etcd-db.ts).
  const cluster = await startCluster({ controllers: false });
  try {
    const apiserver = cluster.processes["kube-apiserver"];
    if (apiserver) await stopProcess(apiserver);
    const fill = await fillEtcd(cluster.etcd, { seed, targetBytes: bytes });
    console.error(
      `bench: ${fill.keys} keys, ${(fill.valueBytes / MiB).toFixed(0)} MiB of values; db ${(fill.status.dbSize / MiB).toFixed(0)} MiB in ${(fill.ms / 1000).toFixed(1)} s`,
    );
    const { endpoint, caFile, certFile, keyFile } = cluster.etcd;
    const save = async (file: string) => {
      const part = `${file}.part`;
      rmSync(part, { force: true });
      await run(path.join(cluster.bin, "etcdctl"), [
        "snapshot",
        "save",
        part,
        "--endpoints",
        endpoint,
        "--cacert",
        caFile,
        "--cert",
        certFile,
        "--key",
        keyFile,
      ]);
      return part;
    };
    const a = await save(files.a);
    const changed = await changeEtcd(cluster.etcd, { seed, written: fill.written, ...CHANGE });
    console.error(
      `bench: then ${changed.changed} keys rewritten, ${changed.deleted} deleted, ${changed.added} added`,
    );
    const b = await save(files.b);
    renameSync(a, files.a);
    renameSync(b, files.b);
    return files;
  } finally {
    await cluster.stop();
  }
}
