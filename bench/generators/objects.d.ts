import type { KubeClient, ResourceRef } from "@kubemend/lib/kube/client";
/** Every generated object carries these, so a suite or a test can select or delete a workload. */
export declare const GENERATOR_LABEL = "bench.kubemend.dev/generator";
export declare const SEED_LABEL = "bench.kubemend.dev/seed";
export declare function benchLabels(generator: string, seed: number | string): Record<string, string>;
/** A label selector that matches exactly these labels. */
export declare function selector(labels: Record<string, string>): string;
export declare const core: (resource: string, namespace?: string) => ResourceRef;
/**
 * Creates the namespaces (adopting existing ones) and waits for each one's "default"
 * ServiceAccount: until the controller-manager has made it, the API server refuses pods there.
 */
export declare function ensureNamespaces(
  admin: KubeClient,
  names: readonly string[],
  labels: Record<string, string>,
): Promise<void>;
/** Names of `count` namespaces for one workload: realistic team and app names, numbered. */
export declare function namespaceNames(prefix: string, count: number): string[];
export declare const TEAMS: readonly [
  "payments",
  "checkout",
  "search",
  "identity",
  "billing",
  "catalog",
  "ingest",
  "reports",
  "notify",
  "platform",
  "ml",
  "media",
];
export declare const APPS: readonly [
  "api",
  "web",
  "worker",
  "gateway",
  "auth",
  "cart",
  "orders",
  "ledger",
  "indexer",
  "cache",
  "frontend",
  "scheduler",
  "mailer",
  "thumbnailer",
  "exporter",
  "grpc",
];
