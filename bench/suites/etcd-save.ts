import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startCluster } from "../../test/env/cluster.js";
import { stopProcess } from "../../test/env/process.js";
import { fillEtcd } from "../generators/etcd-db.js";
import { type Suite, withPlugins } from "../suite.js";

const SEED = 6;
const MiB = 1024 * 1024;

/** Snapshot save of an etcd database of `sizeMiB`: kubectl etcdsnap against etcdctl (issue #6). */
function etcdSave(name: string, sizeMiB: number): Suite {
  return {
    name,
    describe: `kubectl etcdsnap save versus etcdctl snapshot save, on a ${sizeMiB} MiB etcd database`,
    // Throughput at least etcdctl's is a time ratio of at most 1; the RSS goal holds at any size.
    goal: { ratio: 1.0, rssMb: 150 },
    requires: [{ plugin: "etcdsnap", command: "save" }],
    async prepare({ repo, scale }) {
      // etcd alone: an API server would choke on the generated values (see etcd-db.ts).
      const cluster = await startCluster({ controllers: false });
      const dir = mkdtempSync(path.join(os.tmpdir(), "kubemend-bench-snap-"));
      const teardown = async () => {
        rmSync(dir, { recursive: true, force: true });
        await cluster.stop();
      };
      try {
        const apiserver = cluster.processes["kube-apiserver"];
        if (apiserver) await stopProcess(apiserver);
        const result = await fillEtcd(cluster.etcd, { seed: SEED, targetBytes: sizeMiB * MiB * scale });
        console.error(
          `bench: ${name}: ${result.keys} keys, ${(result.valueBytes / MiB).toFixed(0)} MiB of values; db ${(result.status.dbSize / MiB).toFixed(0)} MiB (in use ${(result.status.dbSizeInUse / MiB).toFixed(0)} MiB) in ${(result.ms / 1000).toFixed(1)} s`,
        );
      } catch (err) {
        await teardown();
        throw err;
      }
      const { endpoint, caFile, certFile, keyFile } = cluster.etcd;
      const connection = ["--endpoints", endpoint, "--cacert", caFile, "--cert", certFile, "--key", keyFile];
      const files = { a: path.join(dir, "a.db"), b: path.join(dir, "b.db") };
      return {
        a: {
          label: "kubectl etcdsnap save",
          argv: ["kubectl", "etcdsnap", "save", files.a, ...connection],
          env: withPlugins(repo),
        },
        b: {
          label: "etcdctl snapshot save",
          argv: [path.join(cluster.bin, "etcdctl"), "snapshot", "save", files.b, ...connection],
        },
        async beforeRun(side) {
          rmSync(files[side], { force: true });
          return undefined;
        },
        teardown,
      };
    },
  };
}

export const etcdSave1g = etcdSave("etcd-save", 1024);
export const etcdSave256m = etcdSave("etcd-save-256m", 256);
