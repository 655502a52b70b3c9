import { type Suite, withPlugins } from "../suite.js";
import { benchSnapshots } from "./etcd-snapshots.js";

const SEED = 7;
const SIZE_MIB = 1024;

/**
 * A kubemend command reading snapshots of a 1 GiB etcd database, against `etcdutl snapshot status`
 * on the first of them (issues #6 and #7 state their goals as multiples of it).
 */
function readingSuite(
  name: string,
  describe: string,
  goal: Suite["goal"],
  command: string,
  args: (files: { a: string; b: string }) => string[],
): Suite {
  return {
    name,
    describe: `${describe}, versus etcdutl snapshot status, on snapshots of a ${SIZE_MIB} MiB etcd database`,
    goal,
    requires: [{ plugin: "etcdsnap", command }],
    async prepare({ repo, scale }) {
      const files = await benchSnapshots(SEED, SIZE_MIB, scale);
      return {
        a: {
          label: `kubectl etcdsnap ${command}`,
          argv: ["kubectl", "etcdsnap", command, ...args(files), "-o", "json"],
          env: withPlugins(repo),
        },
        b: {
          label: "etcdutl snapshot status",
          argv: [files.etcdutl, "snapshot", "status", files.a, "-w", "json"],
        },
        async teardown() {},
      };
    },
  };
}

export const etcdStatus = readingSuite(
  "etcd-status",
  "kubectl etcdsnap status (hash, keys, plus sha256 trailer, bbolt and MVCC checks)",
  { ratio: 1.0, rssMb: 150 },
  "status",
  ({ a }) => [a],
);

export const etcdInspect = readingSuite(
  "etcd-inspect",
  "kubectl etcdsnap inspect",
  { ratio: 2.0, rssMb: 300 },
  "inspect",
  ({ a }) => [a],
);

export const etcdDiff = readingSuite(
  "etcd-diff",
  "kubectl etcdsnap diff of two snapshots",
  { ratio: 4.0, rssMb: 300 },
  "diff",
  ({ a, b }) => [a, b],
);
