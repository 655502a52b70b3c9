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
export declare const RESOURCES: readonly ResourceShape[];
export interface RegistryEntry {
  key: string;
  resource: ResourceShape;
  size: number;
}
/** The i-th key of a seed's layout, with its resource and value size; pure. */
export declare function registryEntry(rnd: Random, index: number): RegistryEntry;
/**
 * A value as kube-apiserver writes it: the "k8s\0" magic, then a runtime.Unknown protobuf holding
 * the TypeMeta and the object bytes (here filler of the right size, not a decodable object).
 */
export declare function storedValue(resource: ResourceShape, size: number, rnd: Random): Buffer;
export interface EtcdStatus {
  dbSize: number;
  dbSizeInUse: number;
  revision: number;
  version: string;
}
/** etcd's v3 API through the gateway: JSON, with bytes in base64. */
export declare class EtcdGateway {
  private readonly access;
  private readonly agent;
  constructor(access: EtcdAccess);
  put(key: string, value: Buffer): Promise<void>;
  status(): Promise<EtcdStatus>;
  /** Keys under a prefix, counted by etcd. */
  count(prefix: string): Promise<number>;
  close(): void;
  private call;
}
export interface EtcdFill {
  seed: number | string;
  /** Stop once etcd's database file is at least this large. */
  targetBytes: number;
  concurrency?: number;
}
export interface EtcdFillResult {
  keys: number;
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
export declare function fillEtcd(access: EtcdAccess, fill: EtcdFill): Promise<EtcdFillResult>;
