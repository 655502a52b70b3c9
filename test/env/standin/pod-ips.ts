import type { TestCluster } from "../cluster.js";

/**
 * The pod network of one cluster: cluster.podIp(1..254), each address held by one pod at a time.
 * Shared by every stand-in of the cluster in this process, as one IPAM serves all nodes.
 */
export class PodIpPool {
  private readonly byUid = new Map<string, number>();
  private readonly used = new Set<number>();
  private next = 1;

  constructor(private readonly podIp: (n: number) => string) {}

  /** The pod's address: the one it already has (`current`, when it is from this pool and free), or a new one. */
  claim(uid: string, current?: string | null): string {
    const held = this.byUid.get(uid);
    if (held !== undefined) return this.podIp(held);
    const n = this.indexOf(current) ?? this.free();
    this.byUid.set(uid, n);
    this.used.add(n);
    return this.podIp(n);
  }

  release(uid: string): void {
    const n = this.byUid.get(uid);
    if (n === undefined) return;
    this.byUid.delete(uid);
    this.used.delete(n);
  }

  private indexOf(ip: string | null | undefined): number | undefined {
    if (!ip) return undefined;
    for (let n = 1; n <= 254; n++) if (this.podIp(n) === ip) return this.used.has(n) ? undefined : n;
    return undefined;
  }

  private free(): number {
    for (let i = 0; i < 254; i++) {
      const n = ((this.next - 1 + i) % 254) + 1;
      if (!this.used.has(n)) {
        this.next = (n % 254) + 1;
        return n;
      }
    }
    throw new Error("the pod network is full: all 254 pod addresses are in use");
  }
}

const pools = new WeakMap<TestCluster, PodIpPool>();

export function podIpPool(cluster: TestCluster): PodIpPool {
  let pool = pools.get(cluster);
  if (!pool) {
    pool = new PodIpPool(cluster.podIp);
    pools.set(cluster, pool);
  }
  return pool;
}
