import type { KubeClient, KubeObject, ListOptions, ResourceRef, WatchEvent } from "./client.js";

export type InformerEventType = "ADDED" | "MODIFIED" | "DELETED";

type Selectors = Pick<ListOptions, "labelSelector" | "fieldSelector">;

/**
 * List-then-watch of one collection, as client-go's reflector does: it keeps a cache, resumes
 * from the last resourceVersion when a watch ends, and relists (reporting what vanished meanwhile
 * as DELETED) when that version is too old. Watchers stay cheap for the API server this way.
 */
export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion: string | undefined;
  private readonly halt = new AbortController();
  private lastError: Error | undefined;
  private readonly synced: Promise<void>;

  constructor(
    private readonly client: KubeClient,
    private readonly ref: ResourceRef,
    private readonly selectors: Selectors,
    private readonly onEvent: (type: InformerEventType, object: T) => void,
  ) {
    let markSynced = () => {};
    this.synced = new Promise((resolve) => {
      markSynced = resolve;
    });
    void this.run(markSynced);
  }

  /** Resolves once the first list has been delivered. */
  async whenSynced(timeoutMs = 30_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `no list of ${this.ref.resource} after ${timeoutMs} ms: ${this.lastError?.message ?? ""}`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.synced, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  items(): T[] {
    return [...this.cache.values()];
  }

  stop(): void {
    this.halt.abort();
  }

  private get stopped(): boolean {
    return this.halt.signal.aborted;
  }

  private async run(markSynced: () => void): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (this.resourceVersion === undefined) {
          await this.relist();
          markSynced();
        }
        await this.watch();
        failures = 0;
      } catch (err) {
        failures++;
        this.lastError = err as Error;
        if (!this.stopped) await sleep(Math.min(5_000, 200 * 2 ** failures), this.halt.signal);
      }
    }
  }

  private async relist(): Promise<void> {
    const seen = new Set<string>();
    let version: string | undefined;
    for await (const page of this.client.pages<T>(this.ref, this.selectors)) {
      for (const item of page.items) {
        const key = keyOf(item);
        seen.add(key);
        const known = this.cache.get(key);
        this.cache.set(key, item);
        if (known?.metadata.resourceVersion !== item.metadata.resourceVersion)
          this.deliver(known ? "MODIFIED" : "ADDED", item);
      }
      version = page.resourceVersion;
    }
    for (const [key, item] of this.cache) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.deliver("DELETED", item);
    }
    this.resourceVersion = version;
  }

  private async watch(): Promise<void> {
    const events = this.client.watch<T & { code?: number; message?: string }>(this.ref, {
      ...this.selectors,
      resourceVersion: this.resourceVersion,
      timeoutSeconds: 300 + Math.floor(Math.random() * 300),
      signal: this.halt.signal,
    });
    for await (const event of events) this.apply(event);
  }

  private apply(event: WatchEvent<T & { code?: number; message?: string }>): void {
    if (event.type === "ERROR") {
      // 410 Gone: the version is compacted away; relist.
      if (event.object.code === 410) this.resourceVersion = undefined;
      else this.lastError = new Error(`watch ${this.ref.resource}: ${event.object.message ?? "error event"}`);
      return;
    }
    const version = event.object.metadata?.resourceVersion;
    if (version) this.resourceVersion = version;
    if (event.type === "BOOKMARK") return;
    const key = keyOf(event.object);
    if (event.type === "DELETED") this.cache.delete(key);
    else this.cache.set(key, event.object);
    this.deliver(event.type, event.object);
  }

  private deliver(type: InformerEventType, object: T): void {
    try {
      this.onEvent(type, object);
    } catch {
      // A handler's failure must not stop the watch; handlers report their own errors.
    }
  }
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const wake = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", wake);
      resolve();
    }, ms);
    signal?.addEventListener("abort", wake, { once: true });
  });
}
