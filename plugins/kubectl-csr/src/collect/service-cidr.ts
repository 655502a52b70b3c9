import type { KubeClient } from "@kubemend/lib/kube/client";
import {
  parseClusterConfiguration,
  readClusterConfigurationText,
  serviceSubnets,
} from "@kubemend/lib/kube/kubeadm-config";
import { tolerantRead } from "@kubemend/lib/kube/tolerant-read";

/** The Service CIDRs the node-addresses rule keeps out of serving certificates, and where they came from. */
export interface ServiceCidrs {
  cidrs: string[];
  source: string;
}

interface ServiceCidrObject {
  metadata: { name: string; deletionTimestamp?: string };
  spec?: { cidrs?: string[] };
}

/** --service-cluster-ip-range from a kube-apiserver command line. */
export function serviceRangeFromCommand(command: readonly string[]): string[] {
  for (const [i, arg] of command.entries()) {
    if (arg.startsWith("--service-cluster-ip-range="))
      return arg.slice("--service-cluster-ip-range=".length).split(",").filter(Boolean);
    if (arg === "--service-cluster-ip-range") return (command[i + 1] ?? "").split(",").filter(Boolean);
  }
  return [];
}

/**
 * Learns the Service CIDRs, most authoritative first: the ServiceCIDR objects
 * (networking.k8s.io/v1), kubeadm-config's serviceSubnet, the kube-apiserver mirror pod's
 * --service-cluster-ip-range, and at least the `kubernetes` Service's own ClusterIPs.
 */
export async function discoverServiceCidrs(client: KubeClient): Promise<ServiceCidrs> {
  const objects = await tolerantRead(async () => {
    const found: string[] = [];
    for await (const item of client.list<ServiceCidrObject>({
      group: "networking.k8s.io",
      version: "v1",
      resource: "servicecidrs",
    }))
      if (!item.metadata.deletionTimestamp) found.push(...(item.spec?.cidrs ?? []));
    return found;
  });
  if (objects?.length) return { cidrs: objects, source: "ServiceCIDR objects (networking.k8s.io/v1)" };

  const kubeadm = await tolerantRead(() => readClusterConfigurationText(client));
  const subnet = serviceSubnets(parseClusterConfiguration(kubeadm ?? ""));
  if (subnet.length > 0)
    return { cidrs: subnet, source: "kube-system/kubeadm-config networking.serviceSubnet" };

  const flag = await tolerantRead(async () => {
    const pods = client.list<{ spec?: { containers?: { command?: string[]; args?: string[] }[] } }>(
      { group: "", version: "v1", resource: "pods", namespace: "kube-system" },
      { labelSelector: "component=kube-apiserver" },
    );
    for await (const pod of pods)
      for (const container of pod.spec?.containers ?? []) {
        const range = serviceRangeFromCommand([...(container.command ?? []), ...(container.args ?? [])]);
        if (range.length > 0) return range;
      }
    return [];
  });
  if (flag?.length) return { cidrs: flag, source: "kube-apiserver --service-cluster-ip-range" };

  const service = await tolerantRead(() =>
    client.get<{ spec?: { clusterIP?: string; clusterIPs?: string[] } }>({
      group: "",
      version: "v1",
      resource: "services",
      namespace: "default",
      name: "kubernetes",
    }),
  );
  const ips = service?.spec?.clusterIPs ?? (service?.spec?.clusterIP ? [service.spec.clusterIP] : []);
  return {
    cidrs: ips,
    source:
      ips.length > 0
        ? "the kubernetes Service ClusterIP only (pass --service-cidr for the whole range)"
        : "not found (pass --service-cidr)",
  };
}
