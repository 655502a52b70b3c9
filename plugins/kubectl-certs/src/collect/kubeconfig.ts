import { readFileSync } from "node:fs";
import { loadKubeConfig, type ResolvedKubeConfig } from "@kubemend/lib/kube/kubeconfig";
import { loadAll } from "js-yaml";
import type { CertBundle, FoundCert } from "../model.js";
import { certsFromBundle, decodeBase64, keyMatchesChain } from "./bundle.js";
import type { Source, SourceContext, SourceData } from "./context.js";

type Entry = Record<string, unknown>;

/** The client certificate and CA of the current context, or of every context with --all-contexts. */
export const kubeconfigSource: Source = async (ctx) => {
  const current = ctx.config();
  const configs = ctx.options.allContexts ? allContexts(ctx) : [current];
  const data: Required<Pick<SourceData, "certs" | "bundles" | "clusterCas">> = {
    certs: [],
    bundles: [],
    clusterCas: [],
  };
  for (const config of configs) {
    const found = contextCerts(config);
    data.certs.push(...found.certs);
    data.bundles.push(...found.bundles);
    if (config.contextName === current.contextName)
      data.clusterCas.push(...found.certs.filter((c) => c.role === "trust").flatMap((c) => c.cert ?? []));
  }
  return data;
};

/** Every context of the kubeconfig files, each resolved with kubectl's rules. */
function allContexts(ctx: SourceContext): ResolvedKubeConfig[] {
  const names = new Set<string>();
  for (const file of ctx.config().files) {
    const doc = loadAll(readFileSync(file, "utf8"))[0] as { contexts?: { name?: unknown }[] } | undefined;
    for (const context of doc?.contexts ?? []) if (typeof context?.name === "string") names.add(context.name);
  }
  if (names.size === 0) return [ctx.config()];
  return [...names].map((context) => loadKubeConfig({ ...ctx.kubeFlags, context }, { env: ctx.env }));
}

function contextCerts(config: ResolvedKubeConfig): { certs: FoundCert[]; bundles: CertBundle[] } {
  const where = config.files[0] ?? "kubeconfig";
  const holder = { file: where };
  const certs: FoundCert[] = [];
  const ca = material(config.cluster, "certificate-authority");
  if (ca)
    certs.push(
      ...certsFromBundle(ca.content, {
        source: "kubeconfig",
        location: `${config.contextName}: cluster ${config.clusterName} ${ca.from}`,
        holder,
        role: "trust",
        context: config.contextName,
      }),
    );
  const client = material(config.user, "client-certificate");
  const bundles: CertBundle[] = [];
  if (client) {
    const found = certsFromBundle(client.content, {
      source: "kubeconfig",
      location: `${config.contextName}: user ${config.userName} ${client.from}`,
      holder,
      role: "leaf",
      context: config.contextName,
    });
    certs.push(...found);
    const chain = found.flatMap((c) => c.cert ?? []);
    const key = material(config.user, "client-key");
    const leaf = chain[0];
    if (leaf)
      bundles.push({
        source: "kubeconfig",
        holder,
        location: `${config.contextName}: user ${config.userName}`,
        chain,
        trust: certs.filter((c) => c.role === "trust").flatMap((c) => c.cert ?? []),
        ...(key && { keyMatches: keyMatchesChain(key.content.toString("utf8"), chain) }),
      });
  }
  return { certs, bundles };
}

/** `<field>-data` (base64) or `<field>` (a path), as client-go reads them; data wins. */
function material(entry: Entry, field: string): { content: Buffer; from: string } | undefined {
  const data = entry[`${field}-data`];
  if (typeof data === "string" && data !== "") {
    const content = decodeBase64(data);
    return { content: content ?? Buffer.alloc(0), from: `${field}-data${content ? "" : " (not base64)"}` };
  }
  const file = entry[field];
  if (typeof file !== "string" || file === "") return undefined;
  try {
    return { content: readFileSync(file), from: file };
  } catch (err) {
    return {
      content: Buffer.alloc(0),
      from: `${file} (${(err as NodeJS.ErrnoException).code ?? "unreadable"})`,
    };
  }
}
