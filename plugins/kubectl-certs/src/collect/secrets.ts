import type { KubeClient, KubeObject, ResourceRef } from "@kubemend/lib/kube/client";
import { orderAndLintChain } from "@kubemend/lib/x509/chain";
import { looksLikeDer, looksLikePem } from "@kubemend/lib/x509/pem";
import type { CertBundle, FoundCert } from "../model.js";
import { certsFromBundle, decodeBase64, keyMatchesLeaf } from "./bundle.js";
import type { Source, SourceContext } from "./context.js";
import { readAhead } from "./read-ahead.js";

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
/**
 * Secrets run to kilobytes each: pages of 100 rather than kubectl's 500 keep the two pages in
 * memory at a time small (peak RSS 216 MB instead of 285 MB over 10,000 TLS secrets), and the
 * page in flight hides the extra round trips.
 */
const SECRET_PAGE = 100;

const CONFIGMAPS = (namespace?: string): ResourceRef => ({
  group: "",
  version: "v1",
  resource: "configmaps",
  namespace,
});

/**
 * Every PEM block of kubernetes.io/tls secrets (selected by the API server, page by page), and
 * with --scan-opaque every Opaque secret and ConfigMap value that holds a certificate. Only
 * parsed certificates are kept; secret values are dropped as soon as each secret is read. The
 * next page is on its way while this one is parsed.
 */
export const secretsSource: Source = async (ctx) => {
  const client = await ctx.client();
  const certs: FoundCert[] = [];
  const bundles: CertBundle[] = [];
  const pages = client.pages<Secret>(SECRETS(ctx.options.namespace), {
    fieldSelector: "type=kubernetes.io/tls",
    limit: ctx.options.chunkSize ?? SECRET_PAGE,
  });
  for await (const page of readAhead(pages)) {
    for (const secret of page.items) {
      const found = tlsSecret(secret);
      for (const cert of found.certs) certs.push(cert);
      if (found.bundle) bundles.push(found.bundle);
    }
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
  // The API server writes data values as base64 itself, so they need no checking here.
  const value = (key: string) => {
    const text = data[key];
    return text === undefined ? undefined : Buffer.from(text, "base64");
  };
  const tlsCrt = value("tls.crt");
  const caCrt = value("ca.crt");
  const certs: FoundCert[] = tlsCrt
    ? certsFromBundle(tlsCrt, { source: "secrets", location: `${base}[tls.crt]`, holder, role: "leaf" })
    : [{ source: "secrets", location: `${base}[tls.crt]`, holder, role: "leaf", problem: "no tls.crt" }];
  const chain = certs.flatMap((c) => c.cert ?? []);
  const trust = caCrt
    ? certsFromBundle(caCrt, { source: "secrets", location: `${base}[ca.crt]`, holder, role: "trust" })
    : [];
  for (const cert of trust) certs.push(cert);
  if (chain.length === 0) return { certs };
  const trusted = trust.flatMap((c) => c.cert ?? []);
  // Ordered once here: the key check needs the leaf, and the chain checks reuse the result.
  const lint = orderAndLintChain(chain, trust.length > 0 ? { caCerts: trusted } : {});
  const key = value("tls.key");
  return {
    certs,
    bundle: {
      source: "secrets",
      holder,
      location: base,
      chain,
      ...(trust.length > 0 && { trust: trusted }),
      lint,
      ...(key && { keyMatches: keyMatchesLeaf(key, lint.ordered[0]) }),
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
    limit: ctx.options.chunkSize ?? SECRET_PAGE,
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
