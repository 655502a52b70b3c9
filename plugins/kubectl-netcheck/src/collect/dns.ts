import type { KubeClient } from "@kubemend/lib/kube/client";
import { CORE, type ConfigMap, DISCOVERY, type EndpointSlice, type Pod, type Service } from "../model.js";
import { collectList, type Gaps } from "./gaps.js";

export const DNS_NAMESPACE = "kube-system";
export const DNS_SERVICE = "kube-dns";
export const DNS_POD_LABEL = "k8s-app=kube-dns";

export interface CollectedDns {
  service?: Service;
  slices: EndpointSlice[];
  pods: Pod[];
  /** The coredns ConfigMap's Corefile, when there is one. */
  corefile?: string;
}

/** CoreDNS (or kube-dns) as kubeadm installs it: the kube-dns Service, its slices and pods, the Corefile. */
export async function collectDns(client: KubeClient, gaps: Gaps): Promise<CollectedDns> {
  const [service, slices, pods, config] = await Promise.all([
    gaps.read(
      "get services in kube-system",
      () => client.get<Service>(CORE("services", DNS_NAMESPACE, DNS_SERVICE)),
      undefined,
      true,
    ),
    gaps.read(
      "list endpointslices in kube-system",
      () =>
        collectList(
          client.list<EndpointSlice>(DISCOVERY("endpointslices", DNS_NAMESPACE), {
            labelSelector: `kubernetes.io/service-name=${DNS_SERVICE}`,
          }),
        ),
      [],
    ),
    gaps.read(
      "list pods in kube-system",
      () => collectList(client.list<Pod>(CORE("pods", DNS_NAMESPACE), { labelSelector: DNS_POD_LABEL })),
      [],
    ),
    gaps.read(
      "get configmaps in kube-system",
      () => client.get<ConfigMap>(CORE("configmaps", DNS_NAMESPACE, "coredns")),
      undefined,
      true,
    ),
  ]);
  return { service, slices, pods, corefile: config?.data?.Corefile };
}
