import type { KubeClient, KubeObject, ResourceRef } from "@kubemend/lib/kube/client";
import type { ApiServiceState, FoundCert } from "../model.js";
import { certsFromBundle, decodeBase64 } from "./bundle.js";
import type { Source } from "./context.js";

interface ClientConfig {
  caBundle?: string;
  service?: { namespace?: string; name?: string };
  url?: string;
}

interface WebhookConfiguration extends KubeObject {
  webhooks?: { name: string; clientConfig?: ClientConfig }[];
}

interface Crd extends KubeObject {
  spec?: { conversion?: { webhook?: { clientConfig?: ClientConfig } } };
}

interface ApiService extends KubeObject {
  spec?: { caBundle?: string; service?: { namespace?: string; name?: string } };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const ADMISSION = (resource: string): ResourceRef => ({
  group: "admissionregistration.k8s.io",
  version: "v1",
  resource,
});

function caBundleCerts(caBundle: string | undefined, kind: string, name: string, field: string): FoundCert[] {
  if (!caBundle) return [];
  return certsFromBundle(decodeBase64(caBundle) ?? Buffer.alloc(0), {
    source: kind === "APIService" ? "apiservices" : "webhooks",
    location: `${kind.toLowerCase()}/${name}[${field}]`,
    holder: { kind, name },
    role: "trust",
  });
}

async function collect<T>(client: KubeClient, ref: ResourceRef): Promise<T[]> {
  const items: T[] = [];
  for await (const item of client.list<T>(ref)) items.push(item);
  return items;
}

/** caBundles of validating and mutating webhooks and of CRD conversion webhooks. */
export const webhooksSource: Source = async (ctx) => {
  const client = await ctx.client();
  const certs: FoundCert[] = [];
  for (const [resource, kind] of [
    ["validatingwebhookconfigurations", "ValidatingWebhookConfiguration"],
    ["mutatingwebhookconfigurations", "MutatingWebhookConfiguration"],
  ] as const)
    for (const config of await collect<WebhookConfiguration>(client, ADMISSION(resource)))
      for (const webhook of config.webhooks ?? [])
        certs.push(
          ...caBundleCerts(
            webhook.clientConfig?.caBundle,
            kind,
            config.metadata.name,
            `${webhook.name}.caBundle`,
          ),
        );
  for await (const crd of client.list<Crd>({
    group: "apiextensions.k8s.io",
    version: "v1",
    resource: "customresourcedefinitions",
  }))
    certs.push(
      ...caBundleCerts(
        crd.spec?.conversion?.webhook?.clientConfig?.caBundle,
        "CustomResourceDefinition",
        crd.metadata.name,
        "conversion.caBundle",
      ),
    );
  return { certs };
};

/** APIService caBundles, with the Available condition that says whether the aggregator reaches the service. */
export const apiServicesSource: Source = async (ctx) => {
  const client = await ctx.client();
  const certs: FoundCert[] = [];
  const apiServices: ApiServiceState[] = [];
  for await (const svc of client.list<ApiService>({
    group: "apiregistration.k8s.io",
    version: "v1",
    resource: "apiservices",
  })) {
    const service = svc.spec?.service;
    if (!service) continue; // served by kube-apiserver itself
    certs.push(...caBundleCerts(svc.spec?.caBundle, "APIService", svc.metadata.name, "caBundle"));
    const available = svc.status?.conditions?.find((c) => c.type === "Available");
    apiServices.push({
      name: svc.metadata.name,
      service: `${service.namespace}/${service.name}`,
      available: available?.status,
      reason: available?.reason,
      message: available?.message,
    });
  }
  return { certs, apiServices };
};
