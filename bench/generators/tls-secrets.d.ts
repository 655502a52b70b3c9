import type { KubeClient } from "@kubemend/lib/kube/client";
import { type GeneratedKey, type KeyKind } from "@kubemend/lib/x509/issue";
import { Random } from "./random.js";
export declare const GENERATOR = "tls-secrets";
export interface SecretsWorkload {
  seed: number | string;
  /** kubernetes.io/tls secrets with a leaf, an intermediate and the root in ca.crt. */
  tls: number;
  /** Opaque, service-account-token and Helm release secrets. */
  other: number;
  /** kubernetes.io/tls secrets whose tls.crt is not a certificate. */
  broken: number;
  namespaces: number;
  /** The clock the validity periods are set from. */
  now?: Date;
}
export type SecretKind = "tls" | "opaque" | "service-account-token" | "helm-release" | "broken-tls";
export type BrokenPem = "not-pem" | "bad-der" | "truncated" | "empty";
export interface PlannedTls {
  key: KeyKind;
  /** Which pooled key of that kind the leaf uses. */
  keySlot: number;
  /** Which pooled intermediate CA signs it. */
  issuer: number;
  serial: string;
  dns: string[];
  notBefore: Date;
  notAfter: Date;
}
export interface PlannedSecret {
  kind: SecretKind;
  namespace: string;
  name: string;
  tls?: PlannedTls;
  broken?: BrokenPem;
  /** Helm: release name and revision. */
  release?: {
    name: string;
    revision: number;
  };
}
/** The whole workload as data, from the seed alone: no I/O, no key material. */
export declare function planSecrets(workload: SecretsWorkload): PlannedSecret[];
/** The pooled keys and CAs that every certificate of one seed is issued from. */
export interface CertificatePool {
  roots: {
    certPem: string;
    key: GeneratedKey;
  }[];
  intermediates: {
    certPem: string;
    key: GeneratedKey;
    root: number;
  }[];
  leafKeys: Map<KeyKind, GeneratedKey[]>;
}
export declare function certificatePool(seed: number | string, now: Date): Promise<CertificatePool>;
interface SecretBody {
  apiVersion: "v1";
  kind: "Secret";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
  };
  type: string;
  data?: Record<string, string>;
}
/** The Secret for one planned entry; TLS certificates are issued here, from the pool. */
export declare function secretBody(
  planned: PlannedSecret,
  pool: CertificatePool,
  labels: Record<string, string>,
  rnd: Random,
): Promise<SecretBody>;
export interface SecretsResult {
  namespaces: string[];
  created: Record<SecretKind, number>;
  ms: number;
}
/**
 * Creates the workload through the API server, `concurrency` requests at a time. The names,
 * namespaces, subjects, serials, validity and chain shape follow from the seed; key material and
 * ECDSA signatures are fresh each time (node:crypto cannot be seeded).
 */
export declare function createSecrets(
  admin: KubeClient,
  workload: SecretsWorkload,
  concurrency?: number,
): Promise<SecretsResult>;
