import { load } from "js-yaml";
import type { KubeClient } from "./client.js";

/** The fields of kubeadm's ClusterConfiguration (kube-system/kubeadm-config) that kubemend reads. */
export interface ClusterConfiguration {
  clusterName?: string;
  controlPlaneEndpoint?: string;
  apiServer?: { certSANs?: string[] };
  networking?: { dnsDomain?: string; serviceSubnet?: string; podSubnet?: string };
}

/** Parses the ConfigMap's ClusterConfiguration; undefined when it is not a YAML mapping. */
export function parseClusterConfiguration(yaml: string): ClusterConfiguration | undefined {
  try {
    const doc = load(yaml);
    return doc !== null && typeof doc === "object" && !Array.isArray(doc)
      ? (doc as ClusterConfiguration)
      : undefined;
  } catch {
    return undefined;
  }
}

/** networking.serviceSubnet, which is comma-separated on a dual-stack cluster. */
export function serviceSubnets(config: ClusterConfiguration | undefined): string[] {
  return (config?.networking?.serviceSubnet ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The text of kube-system/kubeadm-config's ClusterConfiguration; undefined when the ConfigMap has
 * none. A failed read (404 on a cluster kubeadm did not make, 403) throws: see tolerantRead.
 */
export async function readClusterConfigurationText(client: KubeClient): Promise<string | undefined> {
  const configMap = await client.get<{ data?: Record<string, string> }>({
    group: "",
    version: "v1",
    resource: "configmaps",
    namespace: "kube-system",
    name: "kubeadm-config",
  });
  return configMap.data?.ClusterConfiguration;
}
