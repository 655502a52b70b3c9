import type { KubeClient } from "@kubemend/lib/kube/client";
import { isNotFound } from "@kubemend/lib/kube/errors";
import { type NearMiss, nearMiss, selectorQuery, similar } from "../labels.js";
import {
  CORE,
  DISCOVERY,
  type EndpointSlice,
  type Event,
  type Namespace,
  NETWORKING,
  type NetworkPolicy,
  type Node,
  type Pod,
  type Service,
} from "../model.js";
import { type AgentPod, collectAgents } from "./agents.js";
import { type CollectedApiServer, collectApiServer } from "./apiserver.js";
import { type CollectedDns, collectDns } from "./dns.js";
import { collectList, Gaps } from "./gaps.js";
import { collectNodes, collectPodEvents } from "./nodes.js";

/** Pods examined per near-miss query; a one-label selector's query is the whole namespace. */
export const NEAR_MISS_SCAN = 500;

export interface CollectedService {
  namespace: string;
  name: string;
  service?: Service;
  /** Services in the namespace with a similar name, and namespaces holding one of this name. */
  similarNames: string[];
  otherNamespaces: string[];
  slices: EndpointSlice[];
  /** The pods the selector matches. */
  pods: Pod[];
  nearMisses: { pod: Pod; miss: NearMiss }[];
  /** How the near misses were searched, for the evidence. */
  nearMissSearch: string;
  nodes: Map<string, Node | undefined>;
  agents: AgentPod[];
  dns: CollectedDns;
  apiServer: CollectedApiServer;
  policies: NetworkPolicy[];
  namespaceLabels: Map<string, Record<string, string>>;
  events: Event[];
  forbidden: string[];
}

export async function collectService(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<CollectedService> {
  const gaps = new Gaps();
  // Everything that does not depend on the Service's spec starts at once, with the Service itself.
  const early = {
    dns: collectDns(client, gaps),
    apiServer: collectApiServer(client, gaps),
    agents: collectAgents(client, gaps),
    slices: gaps.read(
      `list endpointslices in ${namespace}`,
      () =>
        collectList(
          client.list<EndpointSlice>(DISCOVERY("endpointslices", namespace), {
            labelSelector: `kubernetes.io/service-name=${name}`,
          }),
        ),
      [],
    ),
    policies: gaps.read(
      `list networkpolicies in ${namespace}`,
      () => collectList(client.list<NetworkPolicy>(NETWORKING("networkpolicies", namespace))),
      [],
    ),
  };
  // A path that returns early must not leave the others to reject unobserved.
  for (const pending of Object.values(early)) (pending as Promise<unknown>).catch(() => {});
  const service = await client.get<Service>(CORE("services", namespace, name)).catch((err) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  const [dns, apiServer] = await Promise.all([early.dns, early.apiServer]);
  const empty: CollectedService = {
    namespace,
    name,
    service,
    similarNames: [],
    otherNamespaces: [],
    slices: [],
    pods: [],
    nearMisses: [],
    nearMissSearch: "",
    nodes: new Map(),
    agents: [],
    dns,
    apiServer,
    policies: [],
    namespaceLabels: new Map(),
    events: [],
    forbidden: gaps.forbidden,
  };
  if (!service) return { ...empty, ...(await similarServices(client, namespace, name, gaps)) };
  if (service.spec.type === "ExternalName") return empty;

  const selector = service.spec.selector ?? {};
  const selected = Object.keys(selector).length > 0;
  const pods = selected
    ? await gaps.read(
        `list pods in ${namespace}`,
        () =>
          collectList(
            client.list<Pod>(CORE("pods", namespace), {
              labelSelector: selectorQuery({ matchLabels: selector }),
            }),
          ),
        [],
      )
    : [];
  const nodeNames = pods.map((p) => p.spec.nodeName).filter((n): n is string => !!n);
  const notReady = pods.filter(
    (p) => p.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True",
  );
  const [nearMisses, nodes, events, policies] = await Promise.all([
    selected && pods.length === 0 ? findNearMisses(client, namespace, selector, gaps) : [],
    collectNodes(client, nodeNames, gaps),
    collectPodEvents(client, notReady, gaps),
    early.policies,
  ]);
  const [slices, agents, namespaceLabels] = await Promise.all([
    early.slices,
    early.agents,
    policies.length > 0 ? collectNamespaceLabels(client, gaps) : new Map<string, Record<string, string>>(),
  ]);
  return {
    ...empty,
    slices,
    pods,
    nearMisses,
    nearMissSearch: describeSearch(selector),
    nodes,
    agents,
    policies,
    namespaceLabels,
    events,
  };
}

function describeSearch(selector: Record<string, string>): string {
  return Object.keys(selector).length === 1
    ? `the first ${NEAR_MISS_SCAN} pods of the namespace (a one-label selector)`
    : `for each selector label, up to ${NEAR_MISS_SCAN} pods matching all the other labels`;
}

/**
 * Pods that match every selector label but one. For each label, the pods matching all the others
 * are listed (for a one-label selector, that is the namespace), at most NEAR_MISS_SCAN each.
 */
async function findNearMisses(
  client: KubeClient,
  namespace: string,
  selector: Record<string, string>,
  gaps: Gaps,
): Promise<{ pod: Pod; miss: NearMiss }[]> {
  const found = new Map<string, { pod: Pod; miss: NearMiss }>();
  const lists = await Promise.all(
    Object.keys(selector).map((key) => {
      const others = Object.fromEntries(Object.entries(selector).filter(([k]) => k !== key));
      return gaps.read(
        `list pods in ${namespace}`,
        () =>
          collectList(
            client.list<Pod>(CORE("pods", namespace), {
              labelSelector: selectorQuery({ matchLabels: others }),
              limit: NEAR_MISS_SCAN,
            }),
            NEAR_MISS_SCAN,
          ),
        [],
      );
    }),
  );
  for (const pod of lists.flat()) {
    const miss = nearMiss(selector, pod.metadata.labels);
    if (miss) found.set(pod.metadata.name, { pod, miss });
  }
  return [...found.values()];
}

async function similarServices(
  client: KubeClient,
  namespace: string,
  name: string,
  gaps: Gaps,
): Promise<Pick<CollectedService, "similarNames" | "otherNamespaces">> {
  const [inNamespace, sameName] = await Promise.all([
    gaps.read(
      `list services in ${namespace}`,
      () => collectList(client.list<Service>(CORE("services", namespace)), 5000),
      [],
    ),
    gaps.read(
      "list services at the cluster scope",
      () => collectList(client.list<Service>(CORE("services"), { fieldSelector: `metadata.name=${name}` })),
      [],
    ),
  ]);
  return {
    similarNames: inNamespace
      .map((s) => s.metadata.name)
      .filter((n) => n !== name && (similar(n, name) || n.includes(name) || name.includes(n)))
      .sort(),
    otherNamespaces: sameName.map((s) => s.metadata.namespace as string).filter((ns) => ns !== namespace),
  };
}

async function collectNamespaceLabels(
  client: KubeClient,
  gaps: Gaps,
): Promise<Map<string, Record<string, string>>> {
  const namespaces = await gaps.read(
    "list namespaces",
    () => collectList(client.list<Namespace>(CORE("namespaces"))),
    [],
  );
  return new Map(namespaces.map((ns) => [ns.metadata.name, ns.metadata.labels ?? {}]));
}
