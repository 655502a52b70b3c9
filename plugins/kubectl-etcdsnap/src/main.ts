import { main } from "@kubemend/lib/cli/app";
import { VERSION } from "@kubemend/lib/version";

await main({
  name: "etcdsnap",
  version: VERSION,
  summary:
    "Verified etcd snapshots (save, status, inspect, diff, list, prune) and restore plans that avoid the stale-revision trap.",
  commands: [],
});
