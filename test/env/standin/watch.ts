import type { ClientRequest } from "node:http";
import https from "node:https";
import type { KubeObject } from "@kubemend/lib/kube/client";
import { type ApiConnection, tlsOptions } from "./api.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

interface ListPage<T> {
  items?: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

interface WatchLine<T> {
  type: WatchEventType | "BOOKMARK" | "ERROR";
  object: T & { code?: number; message?: string };
}

class Gone extends Error {}

/**
 * List-then-watch of one collection, as client-go's reflector does: it keeps a cache, resumes
 * from the last resourceVersion when a watch ends, and relists (reporting what vanished meanwhile
 * as DELETED) when that version is too old. Stand-ins use it instead of polling so that many of
 * them stay cheap for the API server.
 */
export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion: string | undefined;
  private request: ClientRequest | undefined;
  private stopped = false;
  private readonly halt = new AbortController();
  private lastError: Error | undefined;
  private synced: Promise<void>;

  constructor(
    private readonly conn: ApiConnection,
    private readonly path: string,
    private readonly query: Record<string, string>,
    private readonly onEvent: (type: WatchEventType, object: T) => void,
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
            new Error(`no list of ${this.path} after ${timeoutMs} ms: ${this.lastError?.message ?? ""}`),
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
    this.stopped = true;
    this.halt.abort();
    this.request?.destroy();
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
        if (err instanceof Gone) this.resourceVersion = undefined;
        else {
          failures++;
          this.lastError = err as Error;
        }
        if (!this.stopped && failures > 0)
          await sleep(Math.min(5_000, 200 * 2 ** failures), this.halt.signal);
      }
    }
  }

  private async relist(): Promise<void> {
    const seen = new Set<string>();
    let token: string | undefined;
    let version: string | undefined;
    do {
      const query: Record<string, string> = { ...this.query, limit: "500" };
      if (token) query.continue = token;
      const page = JSON.parse(await this.get(query)) as ListPage<T>;
      for (const item of page.items ?? []) {
        const key = keyOf(item);
        seen.add(key);
        const known = this.cache.get(key);
        this.cache.set(key, item);
        if (known?.metadata.resourceVersion !== item.metadata.resourceVersion)
          this.deliver(known ? "MODIFIED" : "ADDED", item);
      }
      token = page.metadata?.continue || undefined;
      version = page.metadata?.resourceVersion;
    } while (token);
    for (const [key, item] of this.cache) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.deliver("DELETED", item);
    }
    this.resourceVersion = version;
  }

  private get(query: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = https.get(this.url(query), { ...tlsOptions(this.conn), timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString();
          if (res.statusCode === 200) resolve(body);
          else reject(new Error(`list ${this.path}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
        });
      });
      req.on("timeout", () => req.destroy(new Error(`list ${this.path}: timed out`)));
      req.on("error", reject);
    });
  }

  private watch(): Promise<void> {
    const query: Record<string, string> = {
      ...this.query,
      watch: "true",
      allowWatchBookmarks: "true",
      resourceVersion: this.resourceVersion ?? "",
      timeoutSeconds: String(300 + Math.floor(Math.random() * 300)),
    };
    return new Promise((resolve, reject) => {
      const req = https.get(this.url(query), tlsOptions(this.conn), (res) => {
        if (res.statusCode === 410) {
          res.resume();
          reject(new Gone());
          return;
        }
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`watch ${this.path}: HTTP ${res.statusCode}`));
          return;
        }
        let buffered = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffered += chunk;
          let newline = buffered.indexOf("\n");
          while (newline >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (line) {
              try {
                this.apply(JSON.parse(line) as WatchLine<T>);
              } catch (err) {
                req.destroy(err as Error);
                return;
              }
            }
            newline = buffered.indexOf("\n");
          }
        });
        res.on("end", resolve);
        res.on("error", reject);
        res.on("close", resolve);
      });
      req.on("error", reject);
      req.on("close", resolve);
      this.request = req;
    });
  }

  private apply(event: WatchLine<T>): void {
    if (event.type === "ERROR") {
      if (event.object.code === 410) throw new Gone();
      throw new Error(`watch ${this.path}: ${event.object.message ?? "error event"}`);
    }
    const version = event.object.metadata?.resourceVersion;
    if (version) this.resourceVersion = version;
    if (event.type === "BOOKMARK") return;
    const key = keyOf(event.object);
    if (event.type === "DELETED") this.cache.delete(key);
    else this.cache.set(key, event.object);
    this.deliver(event.type, event.object);
  }

  private deliver(type: WatchEventType, object: T): void {
    try {
      this.onEvent(type, object);
    } catch {
      // A handler's failure must not stop the watch; handlers report their own errors.
    }
  }

  private url(query: Record<string, string>): URL {
    const url = new URL(this.path, this.conn.server);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
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
