// What a snapshot holds, by resource, namespace and size, without decoding a single value: only
// key names, value lengths and, for Secrets, the `k8s:enc:` envelope prefix are looked at.

import { DEFAULT_PREFIX } from "../mvcc/k8skey.js";
import { revisionMain } from "../mvcc/revision.js";
import { displayKey, nameOf, resourceLabel } from "./resource.js";
import { walkFile } from "./walk.js";

export interface ResourceUsage {
  group: string;
  resource: string;
  keys: number;
  bytes: number;
}

export interface Share {
  keys: number;
  bytes: number;
  /** Of all live keys / bytes, 0..1. */
  keyShare: number;
  byteShare: number;
}

export interface SecretEncryption {
  total: number;
  encrypted: number;
  /** encrypted / total, 0..1 (0 when there are no Secrets). */
  share: number;
  /** "k8s:enc:aescbc:v1:key1", or "identity" for Secrets stored in the clear. */
  providers: { provider: string; keys: number }[];
}

export interface StoredMember {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface Compaction {
  /** The revision the last compaction was asked to reach; null when there was none. */
  scheduled: number | null;
  /** The revision the last finished compaction reached. */
  finished: number | null;
  /** True when a compaction was scheduled and did not finish (etcd finishes it on start). */
  pending: boolean;
}

export interface Inspection {
  file: string;
  revision: number;
  /** Live keys (puts minus deletes). */
  totalKeys: number;
  /** Key plus value bytes of every live key's latest revision. */
  totalBytes: number;
  /** Entries of the key bucket: every kept revision, tombstones included. */
  revisions: number;
  resources: ResourceUsage[];
  namespaces: { namespace: string; objects: number; bytes: number }[];
  events: Share;
  secrets: SecretEncryption;
  members: StoredMember[];
  removedMembers: string[];
  compaction: Compaction;
  clusterVersion: string | null;
  storageVersion: string | null;
  consistentIndex: number | null;
  term: number | null;
  largest: {
    key: string;
    group: string;
    resource: string;
    namespace?: string;
    name: string;
    bytes: number;
  }[];
  /** Key bucket entries etcd could not read. */
  problems: number;
}

export const IDENTITY = "identity";
const ENC_PREFIX = Buffer.from("k8s:enc:");
/** k8s:enc:<provider>:<version>:<key name>: — the envelope label ends at the fifth colon. */
const ENC_LABEL_COLONS = 5;
const MAX_LABEL = 256;
const SECRETS_PREFIX = "secrets/";
const BOOKKEEPING = new Set(["meta", "members", "members_removed", "cluster"]);

/**
 * A live key's record packed into one number: bytes × LABEL_SLOTS + (provider label index + 1, or
 * 0 for keys that are not Secrets). A number, not an object, keeps the per-key cost to the Map
 * entry and its key string.
 */
const LABEL_SLOTS = 1024;
const MORE_PROVIDERS = "k8s:enc:(more providers)";

export async function inspectSnapshot(
  file: string,
  top: number,
  prefix = DEFAULT_PREFIX,
): Promise<Inspection> {
  // Grows with the number of live keys: one packed number per key (see LABEL_SLOTS).
  const live = new Map<string, number>();
  const labels: string[] = [];
  const labelIndex = new Map<string, number>();
  const secretPrefix = `${prefix}${SECRETS_PREFIX}`;
  const other: Record<string, [Buffer, Buffer][]> = {};
  let revisions = 0;

  const encLabel = (buf: Uint8Array, start: number, end: number): number => {
    let label = IDENTITY;
    if (startsWith(buf, start, end, ENC_PREFIX)) {
      let colons = 0;
      let i = start;
      const stop = Math.min(end, start + MAX_LABEL);
      for (; i < stop && colons < ENC_LABEL_COLONS; i++) if (buf[i] === 0x3a) colons++;
      label =
        colons === ENC_LABEL_COLONS
          ? Buffer.from(buf.subarray(start, i - 1)).toString("latin1")
          : "k8s:enc:(malformed envelope)";
    }
    if (labels.length === LABEL_SLOTS - 2 && !labelIndex.has(label)) label = MORE_PROVIDERS;
    let idx = labelIndex.get(label);
    if (idx === undefined) {
      idx = labels.push(label) - 1;
      labelIndex.set(label, idx);
    }
    return idx;
  };

  const walked = await walkFile(file, {
    revision(key, _main, tombstone, buf, vStart, vEnd) {
      revisions++;
      if (tombstone) {
        live.delete(key);
        return;
      }
      const enc = key.startsWith(secretPrefix) ? encLabel(buf, vStart, vEnd) + 1 : 0;
      live.set(key, (key.length + (vEnd - vStart)) * LABEL_SLOTS + enc);
    },
    other(bucket, key, value) {
      // Only the small bookkeeping buckets: "lease" and "auth*" can hold many entries.
      if (!BOOKKEEPING.has(bucket)) return;
      const list = other[bucket] ?? [];
      list.push([key, value]);
      other[bucket] = list;
    },
  });

  const resources = new Map<string, ResourceUsage>();
  const namespaces = new Map<string, { objects: number; bytes: number }>();
  const providers = new Map<number, number>();
  const largest: { key: string; bytes: number }[] = [];
  let totalBytes = 0;
  let events = { keys: 0, bytes: 0 };
  let secrets = 0;
  for (const [key, packed] of live) {
    const v = { bytes: Math.floor(packed / LABEL_SLOTS), enc: (packed % LABEL_SLOTS) - 1 };
    totalBytes += v.bytes;
    const n = nameOf(key, prefix);
    const label = `${n.group}/${n.resource}`;
    let r = resources.get(label);
    if (r === undefined) {
      r = { group: n.group, resource: n.resource, keys: 0, bytes: 0 };
      resources.set(label, r);
    }
    r.keys++;
    r.bytes += v.bytes;
    if (n.namespace !== undefined) {
      const ns = namespaces.get(n.namespace) ?? { objects: 0, bytes: 0 };
      ns.objects++;
      ns.bytes += v.bytes;
      namespaces.set(n.namespace, ns);
    }
    if (n.group === "" && n.resource === "events")
      events = { keys: events.keys + 1, bytes: events.bytes + v.bytes };
    if (v.enc >= 0) {
      secrets++;
      providers.set(v.enc, (providers.get(v.enc) ?? 0) + 1);
    }
    keepLargest(largest, key, v.bytes, top);
  }
  const encrypted = [...providers].reduce((sum, [i, k]) => (labels[i] === IDENTITY ? sum : sum + k), 0);
  const meta = new Map((other.meta ?? []).map(([k, v]) => [k.toString("latin1"), v]));
  const scheduled = revisionValue(meta.get("scheduledCompactRev"));
  const finished = revisionValue(meta.get("finishedCompactRev"));
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

  return {
    file,
    revision: walked.revision,
    totalKeys: live.size,
    totalBytes,
    revisions,
    resources: [...resources.values()].sort(
      (a, b) =>
        b.bytes - a.bytes ||
        resourceLabel(a.group, a.resource).localeCompare(resourceLabel(b.group, b.resource)),
    ),
    namespaces: [...namespaces]
      .map(([namespace, s]) => ({ namespace, ...s }))
      .sort((a, b) => b.objects - a.objects || b.bytes - a.bytes || a.namespace.localeCompare(b.namespace))
      .slice(0, top),
    events: {
      ...events,
      keyShare: ratio(events.keys, live.size),
      byteShare: ratio(events.bytes, totalBytes),
    },
    secrets: {
      total: secrets,
      encrypted,
      share: ratio(encrypted, secrets),
      providers: [...providers]
        .map(([i, keys]) => ({ provider: labels[i] as string, keys }))
        .sort((a, b) => b.keys - a.keys || a.provider.localeCompare(b.provider)),
    },
    members: (other.members ?? []).map(([k, v]) => storedMember(k, v)),
    removedMembers: (other.members_removed ?? []).map(([k]) => k.toString("latin1")),
    compaction: {
      scheduled,
      finished,
      pending: scheduled !== null && (finished === null || finished < scheduled),
    },
    clusterVersion: textValue(other.cluster, "clusterVersion"),
    storageVersion: meta.has("storageVersion")
      ? (meta.get("storageVersion") as Buffer).toString("latin1")
      : null,
    consistentIndex: u64(meta.get("consistent_index")),
    term: u64(meta.get("term")),
    largest: largest.map(({ key, bytes }) => ({ key: displayKey(key), ...nameOf(key, prefix), bytes })),
    problems: walked.problems,
  };
}

/** Keeps `list` as the `top` largest, largest first (top is small, so insertion is cheap). */
function keepLargest(list: { key: string; bytes: number }[], key: string, bytes: number, top: number): void {
  if (top <= 0) return;
  if (list.length === top && (list[top - 1] as { bytes: number }).bytes >= bytes) return;
  let i = list.length;
  while (i > 0 && (list[i - 1] as { bytes: number }).bytes < bytes) i--;
  list.splice(i, 0, { key, bytes });
  if (list.length > top) list.pop();
}

function startsWith(buf: Uint8Array, start: number, end: number, want: Uint8Array): boolean {
  if (end - start < want.length) return false;
  for (let i = 0; i < want.length; i++) if (buf[start + i] !== want[i]) return false;
  return true;
}

function revisionValue(v: Buffer | undefined): number | null {
  if (v === undefined) return null;
  const main = revisionMain(v, 0, v.length);
  return main < 0 ? null : main;
}

function u64(v: Buffer | undefined): number | null {
  return v?.length === 8 ? Number(v.readBigUInt64BE(0)) : null;
}

function textValue(entries: [Buffer, Buffer][] | undefined, key: string): string | null {
  const e = entries?.find(([k]) => k.toString("latin1") === key);
  return e === undefined ? null : e[1].toString("latin1");
}

/** etcd keeps each member as JSON under its hex ID (membership.Member). */
function storedMember(key: Buffer, value: Buffer): StoredMember {
  const id = key.toString("latin1");
  try {
    const m = JSON.parse(value.toString("utf8")) as Partial<StoredMember>;
    return {
      id,
      name: typeof m.name === "string" ? m.name : "",
      peerURLs: Array.isArray(m.peerURLs) ? m.peerURLs.map(String) : [],
      clientURLs: Array.isArray(m.clientURLs) ? m.clientURLs.map(String) : [],
      isLearner: m.isLearner === true,
    };
  } catch {
    return { id, name: "(unreadable)", peerURLs: [], clientURLs: [], isLearner: false };
  }
}
