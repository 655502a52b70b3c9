// The etcdsnap workload: an etcd database of a target size, filled with keys laid out as
// kube-apiserver lays them out and values of the sizes its objects have. Written straight to etcd
// through its gRPC gateway (JSON over HTTPS), not through an API server: a running API server
// would try to decode these values and take its watch caches down, so fill an etcd that has none.
import { readFileSync } from "node:fs";
import https from "node:https";
import { mapLimit } from "@kubemend/lib/concurrency";
import { Random } from "./random.js";

export interface EtcdAccess {
  endpoint: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

interface ResourceShape {
  /** The key's resource prefix after /registry/ (see kubectl-etcdsnap's k8skey.ts). */
  prefix: string;
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  /** Share of the keys. */
  weight: number;
  /** Value size range in bytes. */
  size: [number, number];
}

/** What a busy cluster's etcd holds, by count: events and pods dominate, then config and secrets. */
export const RESOURCES: readonly ResourceShape[] = [
  { prefix: "events", apiVersion: "v1", kind: "Event", namespaced: true, weight: 30, size: [700, 1400] },
  { prefix: "pods", apiVersion: "v1", kind: "Pod", namespaced: true, weight: 25, size: [3000, 6000] },
  {
    prefix: "configmaps",
    apiVersion: "v1",
    kind: "ConfigMap",
    namespaced: true,
    weight: 10,
    size: [500, 16000],
  },
  { prefix: "secrets", apiVersion: "v1", kind: "Secret", namespaced: true, weight: 10, size: [1000, 8000] },
  {
    prefix: "replicasets",
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    namespaced: true,
    weight: 8,
    size: [1500, 3000],
  },
  {
    prefix: "endpointslices",
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    namespaced: true,
    weight: 6,
    size: [600, 2500],
  },
  {
    prefix: "services/specs",
    apiVersion: "v1",
    kind: "Service",
    namespaced: true,
    weight: 4,
    size: [600, 1200],
  },
  {
    prefix: "leases",
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespaced: true,
    weight: 4,
    size: [250, 450],
  },
  { prefix: "minions", apiVersion: "v1", kind: "Node", namespaced: false, weight: 1, size: [4000, 9000] },
  {
    prefix: "apiextensions.k8s.io/customresourcedefinitions",
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    namespaced: false,
    weight: 2,
    size: [8000, 60000],
  },
];
const TOTAL_WEIGHT = RESOURCES.reduce((sum, r) => sum + r.weight, 0);
const NAMESPACES = 40;

export interface RegistryEntry {
  key: string;
  resource: ResourceShape;
  size: number;
}

/** The i-th key of a seed's layout, with its resource and value size; pure. */
export function registryEntry(rnd: Random, index: number): RegistryEntry {
  let roll = rnd.next() * TOTAL_WEIGHT;
  let resource = RESOURCES[0] as ResourceShape;
  for (const r of RESOURCES) {
    resource = r;
    roll -= r.weight;
    if (roll < 0) break;
  }
  const app = rnd.pick(APP_NAMES);
  const name =
    resource.kind === "CustomResourceDefinition"
      ? `${app}${index.toString(36)}s.${rnd.alphanumeric(6)}.example.io`
      : `${app}-${rnd.alphanumeric(10)}-${rnd.alphanumeric(5)}-${index.toString(36)}`;
  const key = resource.namespaced
    ? `/registry/${resource.prefix}/ns-${rnd.skewed(NAMESPACES)}/${name}`
    : `/registry/${resource.prefix}/${name}`;
  return { key, resource, size: rnd.int(resource.size[0], resource.size[1]) };
}

const APP_NAMES = [
  "api",
  "web",
  "worker",
  "gateway",
  "cart",
  "orders",
  "ledger",
  "indexer",
  "cache",
  "frontend",
];

/**
 * A value as kube-apiserver writes it: the "k8s\0" magic, then a runtime.Unknown protobuf holding
 * the TypeMeta and the object bytes (here filler of the right size, not a decodable object).
 */
export function storedValue(resource: ResourceShape, size: number, rnd: Random): Buffer {
  const typeMeta = Buffer.concat([
    field(1, Buffer.from(resource.apiVersion)),
    field(2, Buffer.from(resource.kind)),
  ]);
  const head = Buffer.concat([Buffer.from("k8s\0", "latin1"), field(1, typeMeta)]);
  const tail = field(4, Buffer.from(""));
  const room = size - head.length - tail.length - 1;
  // The raw field's length prefix is part of the size; find the raw length that fits with it.
  let rawLength = Math.max(0, room - 1);
  while (rawLength > 0 && rawLength + varint(rawLength).length > room) rawLength--;
  return Buffer.concat([head, field(2, rnd.bytes(rawLength)), tail]);
}

/** A protobuf length-delimited field. */
function field(number: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(number << 3) | 2]), varint(bytes.length), bytes]);
}

function varint(value: number): Buffer {
  const out: number[] = [];
  let n = value;
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return Buffer.from(out);
}

export interface EtcdStatus {
  dbSize: number;
  dbSizeInUse: number;
  revision: number;
  version: string;
}

/** etcd's v3 API through the gateway: JSON, with bytes in base64. */
export class EtcdGateway {
  private readonly agent: https.Agent;

  constructor(private readonly access: EtcdAccess) {
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 32,
      ca: readFileSync(access.caFile),
      cert: readFileSync(access.certFile),
      key: readFileSync(access.keyFile),
    });
  }

  async put(key: string, value: Buffer): Promise<void> {
    await this.call("/v3/kv/put", {
      key: Buffer.from(key).toString("base64"),
      value: value.toString("base64"),
    });
  }

  async delete(key: string): Promise<void> {
    await this.call("/v3/kv/deleterange", { key: Buffer.from(key).toString("base64") });
  }

  async status(): Promise<EtcdStatus> {
    const s = (await this.call("/v3/maintenance/status", {})) as {
      dbSize?: string;
      dbSizeInUse?: string;
      version?: string;
      header?: { revision?: string };
    };
    return {
      dbSize: Number(s.dbSize ?? 0),
      dbSizeInUse: Number(s.dbSizeInUse ?? 0),
      revision: Number(s.header?.revision ?? 0),
      version: s.version ?? "",
    };
  }

  /** Keys under a prefix, counted by etcd. */
  async count(prefix: string): Promise<number> {
    const end = Buffer.from(prefix);
    end[end.length - 1] = (end[end.length - 1] as number) + 1;
    const r = (await this.call("/v3/kv/range", {
      key: Buffer.from(prefix).toString("base64"),
      range_end: end.toString("base64"),
      count_only: true,
    })) as { count?: string };
    return Number(r.count ?? 0);
  }

  close(): void {
    this.agent.destroy();
  }

  private call(path: string, body: unknown): Promise<unknown> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, this.access.endpoint),
        {
          method: "POST",
          agent: this.agent,
          headers: { "Content-Type": "application/json", "Content-Length": payload.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString();
            if (res.statusCode !== 200)
              reject(new Error(`etcd ${path}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
            else resolve(JSON.parse(text));
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }
}

export interface EtcdFill {
  seed: number | string;
  /** Stop once etcd's database file is at least this large. */
  targetBytes: number;
  concurrency?: number;
}

export interface EtcdFillResult {
  keys: number;
  /** The keys written, in order. */
  written: string[];
  valueBytes: number;
  /** Keys written, by resource prefix. */
  byResource: Record<string, number>;
  status: EtcdStatus;
  ms: number;
}

/**
 * Puts keys, one per request as kube-apiserver writes them, until etcd reports a database of at
 * least the target size. The same seed writes the same keys and values in the same order.
 */
export async function fillEtcd(access: EtcdAccess, fill: EtcdFill): Promise<EtcdFillResult> {
  const started = performance.now();
  const gateway = new EtcdGateway(access);
  const rnd = new Random(fill.seed).fork("etcd");
  const byResource: Record<string, number> = {};
  const written: string[] = [];
  let keys = 0;
  let valueBytes = 0;
  try {
    let status = await gateway.status();
    // A batch is an eighth of what is left (at least 256 KiB), so the fill overshoots by little.
    while (status.dbSize < fill.targetBytes) {
      const budget = Math.max(256 * 1024, (fill.targetBytes - status.dbSize) / 8);
      const batch: { key: string; value: Buffer }[] = [];
      for (let bytes = 0; bytes < budget; ) {
        const entry = registryEntry(rnd, keys + batch.length);
        const value = storedValue(entry.resource, entry.size, rnd);
        batch.push({ key: entry.key, value });
        bytes += value.length;
        byResource[entry.resource.prefix] = (byResource[entry.resource.prefix] ?? 0) + 1;
      }
      await mapLimit(batch, fill.concurrency ?? 16, ({ key, value }) => gateway.put(key, value));
      keys += batch.length;
      for (const e of batch) written.push(e.key);
      valueBytes += batch.reduce((sum, e) => sum + e.value.length, 0);
      status = await gateway.status();
    }
    return { keys, written, valueBytes, byResource, status, ms: performance.now() - started };
  } finally {
    gateway.close();
  }
}

export interface EtcdChange {
  seed: number | string;
  /** The keys fillEtcd wrote. */
  written: readonly string[];
  /** Shares of the written keys to rewrite and to delete, and new keys to add as a share of them. */
  changed: number;
  deleted: number;
  added: number;
  concurrency?: number;
}

export interface EtcdChangeResult {
  changed: number;
  deleted: number;
  added: number;
}

/**
 * What a cluster does between two snapshots: rewrites some keys, deletes others and adds new ones,
 * picked by the seed (the same seed makes the same changes), so a diff has known work to find.
 */
export async function changeEtcd(access: EtcdAccess, change: EtcdChange): Promise<EtcdChangeResult> {
  const gateway = new EtcdGateway(access);
  const rnd = new Random(change.seed).fork("etcd-change");
  const puts: { key: string; value: Buffer }[] = [];
  const deletes: string[] = [];
  try {
    for (const key of change.written) {
      const roll = rnd.next();
      if (roll < change.deleted) deletes.push(key);
      else if (roll < change.deleted + change.changed) {
        const entry = registryEntry(rnd, 0);
        puts.push({ key, value: storedValue(entry.resource, entry.size, rnd) });
      }
    }
    const changed = puts.length;
    const added = Math.round(change.written.length * change.added);
    for (let i = 0; i < added; i++) {
      const entry = registryEntry(rnd, change.written.length + i);
      puts.push({ key: entry.key, value: storedValue(entry.resource, entry.size, rnd) });
    }
    const limit = change.concurrency ?? 16;
    await mapLimit(puts, limit, ({ key, value }) => gateway.put(key, value));
    await mapLimit(deletes, limit, (key) => gateway.delete(key));
    return { changed, deleted: deletes.length, added };
  } finally {
    gateway.close();
  }
}
