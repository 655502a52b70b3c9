import type { KubeClient } from "@kubemend/lib/kube/client";
import { metaTime } from "@kubemend/lib/kube/time";
import { events } from "./api.js";
import type { Pod } from "./pods.js";

let sequence = 0;

/** A core/v1 Event about a pod, as the kubelet's event recorder writes it. */
export async function recordPodEvent(
  client: KubeClient,
  nodeName: string,
  pod: Pod,
  event: { type: "Normal" | "Warning"; reason: string; message: string; container?: string },
): Promise<void> {
  const namespace = pod.metadata.namespace ?? "default";
  const now = metaTime();
  const stamp = BigInt(Date.now()) * 1_000_000n + BigInt(sequence++ % 1_000_000);
  await client.create(events(namespace), {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${pod.metadata.name}.${stamp.toString(16)}`, namespace },
    involvedObject: {
      apiVersion: "v1",
      kind: "Pod",
      namespace,
      name: pod.metadata.name,
      uid: pod.metadata.uid,
      resourceVersion: pod.metadata.resourceVersion,
      ...(event.container && { fieldPath: `spec.containers{${event.container}}` }),
    },
    type: event.type,
    reason: event.reason,
    message: event.message,
    source: { component: "kubelet", host: nodeName },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    reportingComponent: "kubelet",
    reportingInstance: nodeName,
  });
}
