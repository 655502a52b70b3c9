import { isIP } from "node:net";
import { BadInputError } from "@kubemend/lib/cli/errors";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { isNotFound } from "@kubemend/lib/kube/errors";
import { CORE, type Namespace, NETWORKING, type NetworkPolicy, type Pod } from "../model.js";
import { type Workload, workloadOfPod } from "../policy/simulate.js";
import { collectList } from "./gaps.js";

/** "NAME", "NAMESPACE/NAME" or an IP address, as --from and --to take them. */
export function parseEnd(
  text: string,
  namespace: string,
): { namespace: string; name: string } | { ip: string } {
  if (isIP(text)) return { ip: text };
  const [ns, name] = text.includes("/") ? (text.split("/", 2) as [string, string]) : [namespace, text];
  return { namespace: ns, name };
}

export async function workloadOf(
  client: KubeClient,
  end: { namespace: string; name: string } | { ip: string },
): Promise<Workload> {
  if ("ip" in end) return { ip: end.ip };
  const pod = await client.get<Pod>(CORE("pods", end.namespace, end.name)).catch((err) => {
    if (isNotFound(err))
      throw new BadInputError(
        `pod ${end.namespace}/${end.name} not found`,
        `kubectl get pods -n ${end.namespace}`,
      );
    throw err;
  });
  return workloadOfPod(pod);
}

/** The policies of the namespaces involved, and every namespace's labels for namespaceSelector. */
export async function collectPolicyWorld(
  client: KubeClient,
  namespaces: readonly string[],
): Promise<{ policies: NetworkPolicy[]; namespaceLabels: Map<string, Record<string, string>> }> {
  const [lists, all] = await Promise.all([
    Promise.all(
      [...new Set(namespaces)].map((ns) =>
        collectList(client.list<NetworkPolicy>(NETWORKING("networkpolicies", ns))),
      ),
    ),
    collectList(client.list<Namespace>(CORE("namespaces"))),
  ]);
  return {
    policies: lists.flat(),
    namespaceLabels: new Map(all.map((ns) => [ns.metadata.name, ns.metadata.labels ?? {}])),
  };
}
