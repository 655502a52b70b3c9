import type { KubeClient } from "@kubemend/lib/kube/client";
import { endpointText, probeTls } from "@kubemend/lib/net/tls-probe";
import type { CertBundle, FoundCert, SourceWarning } from "../model.js";
import { certsFromChain } from "./bundle.js";
import type { Source } from "./context.js";
import { kubeconfigTrust } from "./kubeconfig-trust.js";
import { canonicalIp, isLocalAddress } from "./local.js";

export interface ApiServerAddress {
  host: string;
  port: number;
  /** "kubeconfig" or "endpointslice/<name>". */
  from: string;
}

interface EndpointSlice {
  metadata: { name: string };
  ports?: { name?: string; port?: number }[];
  endpoints?: { addresses?: string[] }[];
}

/** The kubeconfig's server address, then every address of the default/kubernetes EndpointSlices. */
export async function apiServerAddresses(
  client: KubeClient | undefined,
  server: string,
): Promise<{
  addresses: ApiServerAddress[];
  error?: unknown;
}> {
  const url = new URL(server);
  const addresses: ApiServerAddress[] = [
    { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 443), from: "kubeconfig" },
  ];
  if (!client) return { addresses };
  try {
    for await (const slice of client.list<EndpointSlice>(
      { group: "discovery.k8s.io", version: "v1", resource: "endpointslices", namespace: "default" },
      { labelSelector: "kubernetes.io/service-name=kubernetes" },
    )) {
      const port = slice.ports?.find((p) => p.name === "https")?.port ?? slice.ports?.[0]?.port ?? 6443;
      for (const endpoint of slice.endpoints ?? [])
        for (const host of endpoint.addresses ?? [])
          addresses.push({ host, port, from: `endpointslice/${slice.metadata.name}` });
    }
    return { addresses: dedupe(addresses) };
  } catch (error) {
    return { addresses, error };
  }
}

function dedupe(addresses: ApiServerAddress[]): ApiServerAddress[] {
  const seen = new Set<string>();
  return addresses.filter((a) => {
    const key = endpointText(canonicalIp(a.host) ?? a.host.toLowerCase(), a.port);
    return !seen.has(key) && seen.add(key) !== undefined;
  });
}

/** The API server's certificate chain as each address presents it in a TLS handshake. */
export const servedSource: Source = async (ctx) => {
  let client: KubeClient | undefined;
  let connectError: unknown;
  try {
    client = await ctx.client();
  } catch (error) {
    connectError = error;
  }
  const { addresses, error } = await apiServerAddresses(client, ctx.config().server);
  const listError = error ?? connectError;
  const local = await Promise.all(addresses.map((a) => isLocalAddress(a.host)));
  const trust = kubeconfigTrust(ctx.config());
  const tlsServerName = ctx.config().cluster["tls-server-name"];
  const certs: FoundCert[] = [];
  const bundles: CertBundle[] = [];
  const warnings: SourceWarning[] = [];
  if (listError)
    warnings.push({
      source: "served",
      message: `only the kubeconfig address was probed: ${(listError as Error).message}`,
      hint: (listError as { hint?: string }).hint,
    });
  const results = await Promise.all(
    addresses.map((a) =>
      probeTls({
        host: a.host,
        port: a.port,
        serverName: a.from === "kubeconfig" && typeof tlsServerName === "string" ? tlsServerName : undefined,
        timeoutMs: ctx.options.probeTimeoutMs,
      }),
    ),
  );
  results.forEach((result, i) => {
    const address = addresses[i] as ApiServerAddress;
    const holder = { endpoint: result.endpoint };
    if (!result.ok) {
      warnings.push({
        source: "served",
        message: `TLS handshake with ${result.endpoint} (${address.from}) failed: ${result.error}`,
      });
      return;
    }
    const served = {
      endpoint: result.endpoint,
      host: address.host,
      local: local[i] === true,
      component: "kube-apiserver",
    };
    certs.push(
      ...certsFromChain(result.chain, { source: "served", location: result.endpoint, holder, served }),
    );
    for (const problem of result.unparsable)
      certs.push({ source: "served", location: result.endpoint, holder, role: "chain", problem });
    if (result.chain.length > 0)
      bundles.push({ source: "served", holder, location: result.endpoint, chain: result.chain, trust });
  });
  if (certs.length === 0 && warnings.length > 0) throw new Error(warnings.map((w) => w.message).join("; "));
  return { certs, bundles, warnings };
};
