import { type KubeClient, type ResourceRef, resourcePath } from "@kubemend/lib/kube/client";
import { isConflict, isNotFound } from "@kubemend/lib/kube/errors";
import { waitFor } from "../../test/env/process.js";
import { CSRS } from "../../test/env/standin/api.js";

/** Every generated object carries these, so a suite or a test can select or delete a workload. */
export const GENERATOR_LABEL = "bench.kubemend.dev/generator";
export const SEED_LABEL = "bench.kubemend.dev/seed";

export function benchLabels(generator: string, seed: number | string): Record<string, string> {
  return { [GENERATOR_LABEL]: generator, [SEED_LABEL]: String(seed) };
}

/** A label selector that matches exactly these labels. */
export function selector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

export const core = (resource: string, namespace?: string): ResourceRef => ({
  group: "",
  version: "v1",
  resource,
  namespace,
});

/**
 * Creates the namespaces (adopting existing ones) and waits for each one's "default"
 * ServiceAccount: until the controller-manager has made it, the API server refuses pods there.
 */
export async function ensureNamespaces(
  admin: KubeClient,
  names: readonly string[],
  labels: Record<string, string>,
): Promise<void> {
  await Promise.all(
    names.map(async (name) => {
      try {
        await admin.create(core("namespaces"), {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name, labels },
        });
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }),
  );
  await waitFor(
    `the default ServiceAccount in ${names.length} namespaces`,
    async () => {
      for (const name of names) {
        try {
          await admin.get({ ...core("serviceaccounts", name), name: "default" });
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      }
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

/** Names of `count` namespaces for one workload: realistic team and app names, numbered. */
export function namespaceNames(prefix: string, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `${prefix}-${TEAMS[i % TEAMS.length]}-${Math.floor(i / TEAMS.length)}`,
  );
}

export const TEAMS = [
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
] as const;

export const APPS = [
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
] as const;

/** Deletes every CSR a generator filed for a seed, approved or not (one deletecollection). */
export async function deleteGeneratedCsrs(
  admin: KubeClient,
  generator: string,
  seed: number | string,
): Promise<void> {
  await admin.request({
    method: "DELETE",
    path: resourcePath(CSRS),
    query: { labelSelector: selector(benchLabels(generator, seed)) },
    verb: "deletecollection",
    ref: CSRS,
  });
}
