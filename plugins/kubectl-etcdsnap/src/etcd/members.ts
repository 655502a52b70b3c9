import { IncompleteError } from "@kubemend/lib/cli/errors";
import type { EtcdEndpoint } from "./client.js";
import type { StatusResponse } from "./proto.js";

export interface MemberStatus {
  endpoint: string;
  status?: StatusResponse;
  /** Why the member cannot be asked, as one line. */
  error?: string;
}

/** Maintenance/Status on every endpoint at once; a failure is recorded, not thrown. */
export async function statusAll(endpoints: readonly EtcdEndpoint[]): Promise<MemberStatus[]> {
  return Promise.all(
    endpoints.map(async (e): Promise<MemberStatus> => {
      try {
        return { endpoint: e.url, status: await e.status() };
      } catch (err) {
        return { endpoint: e.url, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

/** Why a member should not be snapshotted, or undefined when it may. */
export function unfit(m: MemberStatus): string | undefined {
  if (m.error !== undefined) return m.error;
  const s = m.status as StatusResponse;
  if (s.isLearner) return `${m.endpoint} is a learner (not yet a voting member)`;
  if (s.errors.length > 0) return `${m.endpoint} reports ${s.errors.map((e) => e.trim()).join("; ")}`;
  return undefined;
}

/**
 * The member to snapshot: a healthy voting member with the highest applied index (the most
 * complete copy); ties go to the first endpoint listed. `forced` (--endpoint) is taken as is.
 */
export function pickMember(members: readonly MemberStatus[], forced?: string): MemberStatus {
  if (forced !== undefined) {
    const m = members.find((x) => x.endpoint === forced);
    if (m?.status === undefined)
      throw new IncompleteError(
        m?.error ?? `--endpoint ${forced} was not asked`,
        "check the address, or leave out --endpoint to let etcdsnap pick a healthy member",
      );
    return m;
  }
  let best: MemberStatus | undefined;
  for (const m of members) {
    if (unfit(m) !== undefined) continue;
    if (
      best === undefined ||
      (m.status as StatusResponse).raftAppliedIndex > (best.status as StatusResponse).raftAppliedIndex
    )
      best = m;
  }
  if (best !== undefined) return best;
  const reasons = members.map((m) => unfit(m)).join("; ");
  throw new IncompleteError(
    `no healthy etcd member to snapshot: ${reasons}`,
    members.some((m) => m.status?.errors.length)
      ? "a member with an alarm (NOSPACE, CORRUPT) needs care first: see `etcdctl alarm list`; --endpoint forces one member"
      : "check that etcd runs and that --endpoints, --cacert, --cert and --key are right",
  );
}
