import { microTime } from "@kubemend/lib/kube/time";
/** coordination.k8s.io/v1 Lease, the fields leader election uses. */
export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export type LeaseStep =
  | { action: "write"; spec: NonNullable<Lease["spec"]>; leading: true }
  | { action: "wait"; holder: string; leading: false };

/**
 * client-go's leader election rule as a pure step: renew our own lease, take over one that is
 * free or has not been renewed within its duration, otherwise wait for the holder.
 */
export function leaseStep(
  lease: Lease | undefined,
  identity: string,
  now: Date,
  durationSeconds: number,
): LeaseStep {
  const spec = lease?.spec ?? {};
  const holder = spec.holderIdentity ?? "";
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? "") || 0;
  const expired = renewed + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 <= now.getTime();
  const at = microTime(now);
  if (holder === identity)
    return {
      action: "write",
      leading: true,
      spec: { ...spec, leaseDurationSeconds: durationSeconds, renewTime: at },
    };
  if (holder !== "" && !expired) return { action: "wait", holder, leading: false };
  return {
    action: "write",
    leading: true,
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: at,
      renewTime: at,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === "" && !lease ? 0 : 1),
    },
  };
}
