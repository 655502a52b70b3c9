import { CommandError } from "@kubemend/lib/cli/errors";
import { fileIdentity } from "@kubemend/lib/fs/identity";
import { KubeApiError } from "@kubemend/lib/kube/errors";
import { type Collected, emptyCollected, type SourceName } from "../model.js";
import { bootstrapTokensSource } from "./bootstrap-tokens.js";
import { fileOfLocation } from "./bundle.js";
import { caSource } from "./ca.js";
import type { Source, SourceContext, SourceData } from "./context.js";
import { kubeconfigSource } from "./kubeconfig.js";
import { nodesSource } from "./nodes.js";
import { pkiSource } from "./pki.js";
import { secretsSource } from "./secrets.js";
import { servedSource } from "./served.js";
import { apiServicesSource, webhooksSource } from "./webhooks.js";

const SOURCE_FUNCTIONS: Record<SourceName, Source> = {
  kubeconfig: kubeconfigSource,
  // Loaded when it runs: node discovery is a sixth of the bundle, and --help need not compile it.
  node: async (ctx) => (await import("./node.js")).nodeSource(ctx),
  pki: pkiSource,
  served: servedSource,
  ca: caSource,
  secrets: secretsSource,
  webhooks: webhooksSource,
  apiservices: apiServicesSource,
  nodes: nodesSource,
  "bootstrap-tokens": bootstrapTokensSource,
};

/**
 * Runs the sources side by side. A source that fails (forbidden, unreachable) becomes a warning
 * with the API server's reason and the RBAC hint, and the others go on.
 */
export async function collect(
  sources: readonly SourceName[],
  ctx: Omit<SourceContext, "explicit">,
  explicit: boolean,
  onDone: (source: SourceName, remaining: number) => void = () => {},
): Promise<Collected> {
  const collected = emptyCollected();
  let remaining = sources.length;
  const results = await Promise.all(
    sources.map(async (source): Promise<[SourceName, SourceData | Error]> => {
      try {
        return [source, await SOURCE_FUNCTIONS[source]({ ...ctx, explicit })];
      } catch (err) {
        return [source, err instanceof Error ? err : new Error(String(err))];
      } finally {
        onDone(source, --remaining);
      }
    }),
  );
  for (const [source, data] of results) {
    if (data instanceof Error) {
      collected.warnings.push({
        source,
        message: data.message,
        hint: data instanceof CommandError ? data.hint : undefined,
        ...(neverAnswered(data) && { unanswered: true }),
      });
      continue;
    }
    const { warnings, skipped, ...rest } = data;
    collected.warnings.push(...(warnings ?? []));
    const found = Object.values(rest).some((list) => list.length > 0);
    if (!skipped && (found || !warnings?.length)) collected.read.push(source);
    for (const [key, list] of Object.entries(rest) as [keyof typeof rest, unknown[]][])
      (collected[key] as unknown[]).push(...list);
  }
  dropNodeDuplicates(collected);
  return collected;
}

/** A file the pki source read under its kubeadm name is listed once, as pki read it. */
function dropNodeDuplicates(collected: Collected): void {
  const pki = new Set(
    collected.certs.filter((c) => c.source === "pki").map((c) => fileIdentity(fileOfLocation(c.location))),
  );
  pki.delete(undefined);
  if (pki.size === 0) return;
  const hostPaths = new Map(collected.nodeHostPaths.map((h) => [h.location, h.hostPath]));
  const seenByPki = (location: string) => {
    const hostPath = hostPaths.get(fileOfLocation(location));
    return hostPath !== undefined && pki.has(fileIdentity(hostPath));
  };
  collected.certs = collected.certs.filter((c) => c.source !== "node" || !seenByPki(c.location));
  collected.bundles = collected.bundles.filter((b) => b.source !== "node" || !seenByPki(b.location));
}

/** Network codes of a call the API server never answered; a TLS refusal or an HTTP status is an answer. */
const UNANSWERED = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ETIMEDOUT_REQUEST",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

export function neverAnswered(err: Error): boolean {
  return err instanceof KubeApiError && err.status === undefined && UNANSWERED.has(err.networkCode ?? "");
}
