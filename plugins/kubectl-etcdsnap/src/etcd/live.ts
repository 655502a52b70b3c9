import type { CommandContext } from "@kubemend/lib/cli/app";
import { endpointsOf, loadTls, locateEtcd } from "./collect.js";
import type { EtcdctlFlags } from "./discovery.js";
import { statusAll } from "./members.js";
import type { EtcdMemberPod } from "./pods.js";

export interface Live {
  /** The highest revision any member reports, with the cluster ID. */
  revision?: { revision: number; clusterId: string };
  members: EtcdMemberPod[];
  /** Why the revision is unknown. */
  error?: string;
  /** Why the members are unknown. */
  membersError?: string;
}

/** The live cluster's revision and members; never throws, since a restore often runs with etcd down. */
export async function liveRevision(
  ctx: Pick<CommandContext, "kube" | "env">,
  flags: EtcdctlFlags,
  pods: "if-needed" | "always",
): Promise<Live> {
  let members: EtcdMemberPod[] = [];
  try {
    const located = await locateEtcd(ctx, flags, pods);
    members = located.members;
    const membersError = located.kubeError;
    const d = { ...located, tls: loadTls(located.connection) };
    const endpoints = endpointsOf(d, 5_000);
    try {
      const statuses = await statusAll(endpoints);
      let best: Live["revision"];
      for (const s of statuses)
        if (s.status && (best === undefined || s.status.header.revision > best.revision))
          best = { revision: s.status.header.revision, clusterId: s.status.header.clusterId };
      if (best) return { revision: best, members, ...(membersError !== undefined && { membersError }) };
      return {
        members,
        error: statuses.map((s) => s.error).join("; "),
        ...(membersError !== undefined && { membersError }),
      };
    } finally {
      for (const e of endpoints) e.close();
    }
  } catch (err) {
    return { members, error: err instanceof Error ? err.message : String(err) };
  }
}
