import type { KubeClient, KubeObject, ResourceRef } from "@kubemend/lib/kube/client";
import { looksLikeDer, looksLikePem } from "@kubemend/lib/x509/pem";
import type { CertBundle, FoundCert } from "../model.js";
import { certsFromBundle, decodeBase64, keyMatchesChain } from "./bundle.js";
import type { Source, SourceContext } from "./context.js";

export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

const SECRETS = (namespace?: string): ResourceRef => ({
  group: "",
  version: "v1",
  resource: "secrets",
  namespace,
});
const CONFIGMAPS = (namespace?: string): ResourceRef => ({
  group: "",
  version: "v1",
  resource: "configmaps",
  namespace,
});

/**
 * Every PEM block of kubernetes.io/tls secrets (selected by the API server, page by page), and
 * with --scan-opaque every Opaque secret and ConfigMap value that holds a certificate. Only
 * parsed certificates are kept; secret values are dropped as soon as each secret is read.
 */
export const secretsSource: Source = async (ctx) => {
  const client = await ctx.client();
  const certs: FoundCert[] = [];
  const bundles: CertBundle[] = [];
  for await (const secret of client.list<Secret>(SECRETS(ctx.options.namespace), {
    fieldSelector: "type=kubernetes.io/tls",
    limit: ctx.options.chunkSize,
  })) {
    const found = tlsSecret(secret);
    certs.push(...found.certs);
    if (found.bundle) bundles.push(found.bundle);
  }
  if (ctx.options.scanOpaque) certs.push(...(await scanOpaque(client, ctx)));
  return { certs, bundles };
};

/** One kubernetes.io/tls secret as certificates and a chain; pure, so one bad secret stays one finding. */
export function tlsSecret(secret: Secret): { certs: FoundCert[]; bundle?: CertBundle } {
  const { name, namespace } = secret.metadata;
  const holder = { kind: "Secret", namespace, name };
  const data = secret.data ?? {};
  const base = `secret/${namespace}/${name}`;
  const value = (key: string) => {
    const text = data[key];
    return text === undefined ? undefined : (decodeBase64(text) ?? Buffer.alloc(0));
  };
  const tlsCrt = value("tls.crt");
  const caCrt = value("ca.crt");
  const certs: FoundCert[] = [];
  if (tlsCrt)
    certs.push(
      ...certsFromBundle(tlsCrt, { source: "secrets", location: `${base}[tls.crt]`, holder, role: "leaf" }),
    );
  else
    certs.push({
      source: "secrets",
      location: `${base}[tls.crt]`,
      holder,
      role: "leaf",
      problem: "no tls.crt",
    });
  const trust = caCrt
    ? certsFromBundle(caCrt, { source: "secrets", location: `${base}[ca.crt]`, holder, role: "trust" })
    : [];
  certs.push(...trust);
  const chain = certs.filter((c) => c.role !== "trust").flatMap((c) => c.cert ?? []);
  const leaf = chain[0];
  if (!leaf) return { certs };
  const key = value("tls.key");
  return {
    certs,
    bundle: {
      source: "secrets",
      holder,
      location: base,
      chain,
      ...(trust.length > 0 && { trust: trust.flatMap((c) => c.cert ?? []) }),
      ...(key && { keyMatches: keyMatchesChain(key.toString("utf8"), chain) }),
    },
  };
}

/**
 * Opaque secrets and ConfigMaps: only values that look like PEM or DER certificates count. Helm
 * release secrets (type helm.sh/release.v1) are left out by the type selector.
 */
async function scanOpaque(client: KubeClient, ctx: SourceContext): Promise<FoundCert[]> {
  const certs: FoundCert[] = [];
  const sniff = (holder: FoundCert["holder"], location: string, content: Buffer) => {
    const pem = looksLikePem(content);
    if (!pem && !looksLikeDer(content)) return;
    const found = certsFromBundle(content, { source: "secrets", location, holder, role: "trust" });
    // DER that is not a certificate (a key, a CRL) is not ours to report.
    if (pem && /-----BEGIN CERTIFICATE-----/.test(content.toString("latin1"))) certs.push(...found);
    else certs.push(...found.filter((c) => c.cert));
  };
  for await (const secret of client.list<Secret>(SECRETS(ctx.options.namespace), {
    fieldSelector: "type=Opaque",
    limit: ctx.options.chunkSize,
  })) {
    const { name, namespace } = secret.metadata;
    for (const [key, text] of Object.entries(secret.data ?? {})) {
      const content = decodeBase64(text);
      if (content) sniff({ kind: "Secret", namespace, name }, `secret/${namespace}/${name}[${key}]`, content);
    }
  }
  for await (const cm of client.list<ConfigMap>(CONFIGMAPS(ctx.options.namespace), {
    limit: ctx.options.chunkSize,
  })) {
    const { name, namespace } = cm.metadata;
    const holder = { kind: "ConfigMap", namespace, name };
    for (const [key, text] of Object.entries(cm.data ?? {}))
      sniff(holder, `configmap/${namespace}/${name}[${key}]`, Buffer.from(text, "utf8"));
    for (const [key, text] of Object.entries(cm.binaryData ?? {})) {
      const content = decodeBase64(text);
      if (content) sniff(holder, `configmap/${namespace}/${name}[${key}]`, content);
    }
  }
  return certs;
}
