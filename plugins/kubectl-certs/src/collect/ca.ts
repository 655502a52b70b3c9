import type { KubeClient, KubeObject } from "@kubemend/lib/kube/client";
import { isForbidden, isNotFound } from "@kubemend/lib/kube/errors";
import { load } from "js-yaml";
import type { FoundCert, RootCaCopy, SourceWarning } from "../model.js";
import { certsFromBundle, decodeBase64 } from "./bundle.js";
import type { Source } from "./context.js";

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const configMap = (namespace: string | undefined, name?: string) => ({
  group: "",
  version: "v1",
  resource: "configmaps",
  namespace,
  ...(name && { name }),
});

const AUTHENTICATION_KEYS = ["client-ca-file", "requestheader-client-ca-file"];

/**
 * The CAs the cluster hands out: kube-system/extension-apiserver-authentication (client CA and
 * front-proxy CA), kube-public/cluster-info, and every namespace's kube-root-ca.crt.
 */
export const caSource: Source = async (ctx) => {
  const client = await ctx.client();
  const certs: FoundCert[] = [];
  const warnings: SourceWarning[] = [];
  const optional = async (namespace: string, name: string) => {
    try {
      return await client.get<ConfigMap>(configMap(namespace, name));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (isForbidden(err)) {
        warnings.push({
          source: "ca",
          message: (err as Error).message,
          hint: (err as { hint?: string }).hint,
        });
        return undefined;
      }
      throw err;
    }
  };
  const auth = await optional("kube-system", "extension-apiserver-authentication");
  for (const key of AUTHENTICATION_KEYS) {
    const pem = auth?.data?.[key];
    if (pem)
      certs.push(
        ...certsFromBundle(pem, {
          source: "ca",
          location: `configmap/kube-system/extension-apiserver-authentication[${key}]`,
          holder: { kind: "ConfigMap", namespace: "kube-system", name: "extension-apiserver-authentication" },
          role: "trust",
        }),
      );
  }
  const clusterInfo = await optional("kube-public", "cluster-info");
  const caData = clusterInfoCa(clusterInfo?.data?.kubeconfig);
  if (caData !== undefined)
    certs.push(
      ...certsFromBundle(caData, {
        source: "ca",
        location: "configmap/kube-public/cluster-info[kubeconfig]",
        holder: { kind: "ConfigMap", namespace: "kube-public", name: "cluster-info" },
        role: "trust",
      }),
    );
  const rootCaCopies = await rootCaCopiesOf(client, ctx.options.namespace, certs);
  if (certs.length === 0 && warnings.length > 0) throw new Error(warnings.map((w) => w.message).join("; "));
  return { certs, rootCaCopies, warnings };
};

function clusterInfoCa(kubeconfig: string | undefined): Buffer | undefined {
  if (!kubeconfig) return undefined;
  try {
    const doc = load(kubeconfig) as { clusters?: { cluster?: Record<string, string> }[] };
    const data = doc.clusters?.[0]?.cluster?.["certificate-authority-data"];
    return data === undefined ? undefined : (decodeBase64(data) ?? Buffer.alloc(0));
  } catch {
    return Buffer.alloc(0);
  }
}

/** kube-root-ca.crt in every namespace; the kube-system copy is listed, the others compared. */
async function rootCaCopiesOf(
  client: KubeClient,
  namespace: string | undefined,
  certs: FoundCert[],
): Promise<RootCaCopy[]> {
  const copies: RootCaCopy[] = [];
  for await (const cm of client.list<ConfigMap>(configMap(namespace), {
    fieldSelector: "metadata.name=kube-root-ca.crt",
  })) {
    const ns = cm.metadata.namespace ?? "";
    const found = certsFromBundle(cm.data?.["ca.crt"] ?? "", {
      source: "ca",
      location: `configmap/${ns}/kube-root-ca.crt[ca.crt]`,
      holder: { kind: "ConfigMap", namespace: ns, name: "kube-root-ca.crt" },
      role: "trust",
    });
    if (ns === "kube-system") certs.push(...found);
    else certs.push(...found.filter((c) => c.problem));
    copies.push({ namespace: ns, fingerprints: found.flatMap((c) => c.cert?.sha256Fingerprint ?? []) });
  }
  return copies;
}
