import type { KubeClient } from "@kubemend/lib/kube/client";
import { parseClusterConfiguration, readClusterConfigurationText } from "@kubemend/lib/kube/kubeadm-config";
import { tolerantRead } from "@kubemend/lib/kube/tolerant-read";
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
  const tolerate = <T>(what: () => Promise<T>) =>
    tolerantRead(what, {
      onForbidden: (err) => warnings.push({ source: "served", message: err.message, hint: err.hint }),
    });
  const service = await tolerate(() =>
    client.get<{ spec?: { clusterIP?: string } }>({
      group: "",
      version: "v1",
      resource: "services",
      namespace: "default",
      name: "kubernetes",
    }),
  );
  const text = await tolerate(() => readClusterConfigurationText(client));
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
