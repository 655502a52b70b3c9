import type { KubeClient, ResourceRef } from "@kubemend/lib/kube/client";
import { isConflict, isNotFound } from "@kubemend/lib/kube/errors";
import { type Lease, leaseStep } from "./lease.js";

export interface ElectorOptions {
  namespace: string;
  name: string;
  identity: string;
  durationSeconds: number;
}

const LEASES = (namespace: string): ResourceRef => ({
  group: "coordination.k8s.io",
  version: "v1",
  resource: "leases",
  namespace,
});

/** Lease-based leader election (client-go's resourcelock.LeaseLock, one step per call). */
export class LeaderElector {
  constructor(
    private readonly client: KubeClient,
    readonly options: ElectorOptions,
  ) {}

  /** Acquires or renews the lease; false (with the holder) when another replica leads. */
  async tryLead(now: Date): Promise<{ leading: boolean; holder: string }> {
    const { namespace, name, identity, durationSeconds } = this.options;
    const ref = { ...LEASES(namespace), name };
    let lease: Lease | undefined;
    try {
      lease = await this.client.get<Lease>(ref);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const step = leaseStep(lease, identity, now, durationSeconds);
    if (step.action === "wait") return { leading: false, holder: step.holder };
    const body = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { ...lease?.metadata, name, namespace },
      spec: step.spec,
    };
    try {
      if (lease) await this.client.replace(ref, body);
      else await this.client.create(LEASES(namespace), body);
      return { leading: true, holder: identity };
    } catch (err) {
      if (!isConflict(err)) throw err;
      // Another replica wrote first: it leads this round; say which.
      const current = await this.client.get<Lease>(ref).catch(() => undefined);
      return { leading: false, holder: current?.spec?.holderIdentity ?? "" };
    }
  }

  /** Gives the lease up on shutdown so that another replica takes over at once. */
  async release(): Promise<void> {
    const { namespace, name, identity } = this.options;
    const ref = { ...LEASES(namespace), name };
    try {
      const lease = await this.client.get<Lease>(ref);
      if (lease.spec?.holderIdentity !== identity) return;
      await this.client.replace(ref, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1 },
      });
    } catch {
      // Best effort: the lease expires on its own.
    }
  }
}
