import type { KubeClient } from "@kubemend/lib/kube/client";
import { CORE, DISCOVERY, type EndpointSlice, type Pod, type Service } from "../model.js";
import { collectList, type Gaps } from "./gaps.js";

export interface CollectedApiServer {
  /** The `kubernetes` Service in default. */
  service?: Service;
  slices: EndpointSlice[];
  /** kube-apiserver static (mirror) pods, as kubeadm runs them; none on a binary install. */
  pods: Pod[];
}

export async function collectApiServer(client: KubeClient, gaps: Gaps): Promise<CollectedApiServer> {
  const [service, slices, pods] = await Promise.all([
    gaps.read(
      "get services in default",
      () => client.get<Service>(CORE("services", "default", "kubernetes")),
      undefined,
      true,
    ),
    gaps.read(
      "list endpointslices in default",
      () =>
        collectList(
          client.list<EndpointSlice>(DISCOVERY("endpointslices", "default"), {
            labelSelector: "kubernetes.io/service-name=kubernetes",
          }),
        ),
      [],
    ),
    gaps.read(
      "list pods in kube-system",
      () =>
        collectList(
          client.list<Pod>(CORE("pods", "kube-system"), { labelSelector: "component=kube-apiserver" }),
        ),
      [],
    ),
  ]);
  return { service, slices, pods };
}
