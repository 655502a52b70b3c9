import type { KubeClient } from "@kubemend/lib/kube/client";
import { parseClusterConfiguration, readClusterConfigurationText } from "@kubemend/lib/kube/kubeadm-config";

/** The API server's gitVersion ("v1.37.2"), or null when it cannot be asked. */
export async function kubernetesVersion(kube: KubeClient | undefined): Promise<string | null> {
  if (kube === undefined) return null;
  try {
    return (await kube.raw<{ gitVersion?: string }>("/version")).gitVersion ?? null;
  } catch {
    return null;
  }
}

/** kubeadm's clusterName (kube-system/kubeadm-config), or undefined on a cluster kubeadm did not make. */
export async function kubeadmClusterName(kube: KubeClient | undefined): Promise<string | undefined> {
  if (kube === undefined) return undefined;
  try {
    return parseClusterConfiguration((await readClusterConfigurationText(kube)) ?? "")?.clusterName;
  } catch {
    return undefined;
  }
}
