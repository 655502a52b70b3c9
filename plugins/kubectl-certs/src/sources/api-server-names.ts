import type { KubeClient } from "@kubemend/lib/kube/client";
import { isForbidden, isNotFound } from "@kubemend/lib/kube/errors";
import { parseClusterConfiguration } from "@kubemend/lib/kube/kubeadm-config";
import type { SourceWarning } from "../model.js";

export interface ApiServerNaming {
  /** The kubernetes Service's ClusterIP: the first address of the service CIDR. */
  serviceIp?: string;
  clusterDomain: string;
  /** From kube-system/kubeadm-config, when it exists. */
  certSans: string[];
  controlPlaneEndpoint?: string;
  warnings: SourceWarning[];
}

/** What the API server's certificate must cover besides its own addresses. */
export async function apiServerNaming(client: KubeClient): Promise<ApiServerNaming> {
  const warnings: SourceWarning[] = [];
  const tolerate = async <T>(what: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await what();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (isForbidden(err)) {
        warnings.push({
          source: "served",
          message: (err as Error).message,
          hint: (err as { hint?: string }).hint,
        });
        return undefined;
      }
      throw err;
    }
  };
  const service = await tolerate(() =>
    client.get<{ spec?: { clusterIP?: string } }>({
      group: "",
      version: "v1",
      resource: "services",
      namespace: "default",
      name: "kubernetes",
    }),
  );
  const kubeadm = await tolerate(() =>
    client.get<{ data?: Record<string, string> }>({
      group: "",
      version: "v1",
      resource: "configmaps",
      namespace: "kube-system",
      name: "kubeadm-config",
    }),
  );
  const text = kubeadm?.data?.ClusterConfiguration;
  const config = text === undefined ? {} : parseClusterConfiguration(text);
  if (!config)
    warnings.push({
      source: "served",
      message: "kube-system/kubeadm-config: ClusterConfiguration is not valid YAML",
    });
  return {
    serviceIp: service?.spec?.clusterIP,
    clusterDomain: config?.networking?.dnsDomain ?? "cluster.local",
    certSans: (config?.apiServer?.certSANs ?? []).map(String),
    controlPlaneEndpoint: config?.controlPlaneEndpoint,
    warnings,
  };
}
