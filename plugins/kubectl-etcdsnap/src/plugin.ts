import type { PluginSpec } from "@kubemend/lib/cli/app";
import { VERSION } from "@kubemend/lib/version";
import { diffCommand } from "./commands/diff.js";
import { inspectCommand } from "./commands/inspect.js";
import { listCommand } from "./commands/list.js";
import { pruneCommand } from "./commands/prune.js";
import { restoreCommand } from "./commands/restore.js";
import { restorePlanCommand } from "./commands/restore-plan.js";
import { saveCommand } from "./commands/save.js";
import { scheduleCommand } from "./commands/schedule.js";
import { statusCommand } from "./commands/status.js";

export const etcdsnap: PluginSpec = {
  name: "etcdsnap",
  version: VERSION,
  summary:
    "Verified etcd snapshots (save, status, list, prune) and restores that avoid the stale-revision trap.",
  commands: [
    saveCommand,
    statusCommand,
    listCommand,
    pruneCommand,
    restorePlanCommand,
    restoreCommand,
    inspectCommand,
    diffCommand,
    scheduleCommand,
  ],
};
