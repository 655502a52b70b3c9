import type { EtcdctlFlags } from "./discovery.js";
// The live keyspace as user key → mod revision, read from etcd itself with keys-only ranges, one
// page at a time, all pages at the revision of the first so the result is one consistent view.

import type { CommandContext } from "@kubemend/lib/cli/app";
import { IncompleteError } from "@kubemend/lib/cli/errors";
import type { EtcdEndpoint } from "./client.js";
import { endpointsOf, loadTls, locateEtcd } from "./collect.js";
import { statusAll, unfit } from "./members.js";

export const PAGE_SIZE = 5000;
const ALL = new Uint8Array([0]);

export interface LiveKeys {
  endpoint: string;
  revision: number;
  clusterId: string;
}

/** Each live key (latin1) with its mod revision, in key order. */
export type KeyVisitor = (key: string, modRevision: number) => void;

export async function rangeKeys(
  endpoint: EtcdEndpoint,
  onKey: KeyVisitor,
  pageSize = PAGE_SIZE,
): Promise<LiveKeys> {
  let from: Uint8Array = ALL;
  let revision = 0;
  let clusterId = "";
  for (;;) {
    let page: Awaited<ReturnType<EtcdEndpoint["range"]>>;
    try {
      page = await endpoint.range({ key: from, rangeEnd: ALL, limit: pageSize, revision, keysOnly: true });
    } catch (err) {
      throw err instanceof IncompleteError ? err : endpoint.error(err, "cannot list etcd's keys");
    }
    if (revision === 0) {
      revision = page.header.revision;
      clusterId = page.header.clusterId;
    }
    for (const kv of page.kvs) onKey(Buffer.from(kv.key).toString("latin1"), kv.modRevision);
    const last = page.kvs[page.kvs.length - 1];
    if (!page.more || last === undefined) break;
    from = Buffer.concat([last.key, ALL]);
  }
  return { endpoint: endpoint.url, revision, clusterId };
}

/** Finds etcd as `save` does and lists its keys from the first healthy member. */
export async function liveKeys(
  ctx: Pick<CommandContext, "kube" | "env">,
  flags: EtcdctlFlags,
  onKey: KeyVisitor,
  pageSize = PAGE_SIZE,
): Promise<LiveKeys> {
  const located = await locateEtcd(ctx, flags, "if-needed");
  const endpoints = endpointsOf({ ...located, tls: loadTls(located.connection) });
  try {
    const statuses = await statusAll(endpoints);
    const healthy = statuses.findIndex((s) => unfit(s) === undefined);
    const endpoint = endpoints[healthy];
    if (endpoint === undefined)
      throw new IncompleteError(
        `no healthy etcd member to read keys from: ${statuses.map((s) => unfit(s)).join("; ")}`,
        "check that etcd runs and that --endpoints, --cacert, --cert and --key are right",
      );
    return await rangeKeys(endpoint, onKey, pageSize);
  } finally {
    for (const e of endpoints) e.close();
  }
}
