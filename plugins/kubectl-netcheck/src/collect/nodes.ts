import type { KubeClient } from "@kubemend/lib/kube/client";
import { isForbidden } from "@kubemend/lib/kube/errors";
import { CORE, type Event, type Node, type Pod } from "../model.js";
import { collectList, type Gaps } from "./gaps.js";

/** Beyond this many nodes one paged list costs less than a GET each (178 GETs for one big Deployment). */
export const NODE_GETS = 16;

/** The named nodes; a node that no longer exists maps to undefined. */
export async function collectNodes(
  client: KubeClient,
  names: Iterable<string>,
  gaps: Gaps,
): Promise<Map<string, Node | undefined>> {
  const unique = [...new Set(names)].sort();
  if (unique.length > NODE_GETS) {
    const wanted = new Set(unique);
    const listed = new Map<string, Node>();
    try {
      for await (const node of client.list<Node>(CORE("nodes")))
        if (wanted.has(node.metadata.name)) listed.set(node.metadata.name, node);
      return new Map(unique.map((name) => [name, listed.get(name)]));
    } catch (err) {
      // Forbidden to list but perhaps allowed to get: one GET a node, as below.
      if (!isForbidden(err)) throw err;
    }
  }
  const nodes = await Promise.all(
    unique.map((name) =>
      gaps.read("get nodes", () => client.get<Node>(CORE("nodes", undefined, name)), undefined, true),
    ),
  );
  return new Map(unique.map((name, i) => [name, nodes[i]]));
}

/** At most this many pods get their Events read: enough to name a reason, bounded for big Deployments. */
export const EVENT_PODS = 20;

/** The recent Events of each pod, newest first. */
export async function collectPodEvents(
  client: KubeClient,
  pods: readonly Pod[],
  gaps: Gaps,
): Promise<Event[]> {
  const lists = await Promise.all(
    pods.slice(0, EVENT_PODS).map((pod) =>
      gaps.read(
        `list events in ${pod.metadata.namespace}`,
        () =>
          collectList(
            client.list<Event>(CORE("events", pod.metadata.namespace), {
              fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod.metadata.name}`,
            }),
          ),
        [] as Event[],
      ),
    ),
  );
  return lists.flat().sort((a, b) => eventTime(b).localeCompare(eventTime(a)));
}

export function eventTime(e: Event): string {
  return e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? "";
}
