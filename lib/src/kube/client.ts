import { readFileSync } from "node:fs";
import type http from "node:http";
import type https from "node:https";
import { dump } from "js-yaml";
import { UsageError } from "../cli/errors.js";
import { parseDuration } from "../output/duration.js";
import { staticCredentials } from "./credentials.js";
import {
  type ApiRequest,
  KubeApiError,
  networkError,
  notJsonError,
  statusError,
  timeoutError,
} from "./errors.js";
import type { ResolvedKubeConfig } from "./kubeconfig.js";

/** A Kubernetes resource as the API addresses it: group, version, plural resource, namespace. */
export interface ResourceRef {
  /** "" for the core group. */
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size for limit/continue; 500 like kubectl. */
  limit?: number;
}

export interface ListPage<T> {
  items: T[];
  resourceVersion?: string;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export interface ClientOptions {
  /** Per request; 0 waits forever (kubectl's --request-timeout). */
  requestTimeoutMs: number;
  /** Attempts for a retryable failure (429, 5xx, a dropped connection), the first included. */
  attempts?: number;
  /** Base of the exponential backoff between attempts. */
  backoffMs?: number;
}

type TlsOptions = Omit<https.RequestOptions, "headers"> & { headers?: Record<string, string> };

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NETWORK = new Set(["ECONNRESET", "EPIPE", "ECONNREFUSED", "EAI_AGAIN"]);

export function parseRequestTimeout(text: string): number {
  // kubectl still accepts a bare number of seconds.
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDuration(text);
  if (ms === undefined)
    throw new UsageError(
      `invalid --request-timeout "${text}"`,
      "use a duration such as 30s, 2m or 0 for none",
    );
  return ms;
}

/**
 * The API client every plugin uses. @kubernetes/client-node supplies the kubeconfig semantics
 * that are hard to get right (exec and OIDC credential plugins, TLS material, proxies); requests
 * go through node:http(s) here so that timeouts, retries, pagination and error messages are the
 * same for every call, which client-node's generated per-resource clients do not offer.
 */
export class KubeClient {
  private readonly attempts: number;
  private readonly backoffMs: number;
  private tokenCache?: { token: string; readAt: number };

  private constructor(
    readonly config: ResolvedKubeConfig,
    private readonly authSource: { applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> },
    private readonly options: ClientOptions,
  ) {
    this.attempts = options.attempts ?? 4;
    this.backoffMs = options.backoffMs ?? 250;
  }

  static async create(config: ResolvedKubeConfig, options: ClientOptions): Promise<KubeClient> {
    const fixed = staticCredentials(config.server, config.cluster, config.user);
    if (fixed) return new KubeClient(config, fixed, options);
    // Imported here, not at the top: client-node is large and commands that never call the API
    // (help, file inspection) should not pay for loading it. Only its config module: the package
    // root also pulls in every generated API client (4.2 MB minified instead of 1.3 MB).
    const { KubeConfig } = await import("@kubernetes/client-node/dist/config.js");
    const kc = new KubeConfig();
    const { tokenFile: _handledPerRequest, ...user } = config.user;
    kc.loadFromString(
      dump({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "selected", cluster: { ...config.cluster, server: config.server } }],
        users: [{ name: "selected", user }],
        contexts: [{ name: "selected", context: { cluster: "selected", user: "selected" } }],
        "current-context": "selected",
      }),
    );
    return new KubeClient(config, kc, options);
  }

  get server(): string {
    return this.config.server;
  }

  async get<T = KubeObject>(ref: ResourceRef): Promise<T> {
    return this.request<T>({ method: "GET", path: resourcePath(ref), verb: "get", ref });
  }

  /** Pages through a list with limit/continue, yielding one object at a time. */
  async *list<T = KubeObject>(ref: ResourceRef, options: ListOptions = {}): AsyncGenerator<T> {
    for await (const page of this.pages<T>(ref, options)) yield* page.items;
  }

  /** The pages of a list, each with the collection's resourceVersion (to start a watch from). */
  async *pages<T = KubeObject>(ref: ResourceRef, options: ListOptions = {}): AsyncGenerator<ListPage<T>> {
    let token: string | undefined;
    do {
      const query: Record<string, string> = { limit: String(options.limit ?? 500) };
      if (options.labelSelector) query.labelSelector = options.labelSelector;
      if (options.fieldSelector) query.fieldSelector = options.fieldSelector;
      if (token) query.continue = token;
      const page = await this.request<{
        items?: T[];
        metadata?: { continue?: string; resourceVersion?: string };
      }>({
        method: "GET",
        path: resourcePath(ref),
        query,
        verb: "list",
        ref,
      });
      yield { items: page.items ?? [], resourceVersion: page.metadata?.resourceVersion };
      token = page.metadata?.continue || undefined;
    } while (token);
  }

  async create<T = KubeObject>(ref: ResourceRef, body: unknown, query?: Record<string, string>): Promise<T> {
    return this.request<T>({ method: "POST", path: resourcePath(ref), body, query, verb: "create", ref });
  }

  async replace<T = KubeObject>(ref: ResourceRef, body: unknown, query?: Record<string, string>): Promise<T> {
    return this.request<T>({ method: "PUT", path: resourcePath(ref), body, query, verb: "update", ref });
  }

  async delete(ref: ResourceRef): Promise<void> {
    await this.request({ method: "DELETE", path: resourcePath(ref), verb: "delete", ref });
  }

  /** A non-resource path such as /version, answered with JSON. */
  async raw<T = unknown>(path: string): Promise<T> {
    return this.request<T>({ method: "GET", path, verb: "get" });
  }

  /** A path answered with text: a pod's log, /livez. */
  async rawText(path: string): Promise<string> {
    return (await this.request<string | undefined>({ method: "GET", path, verb: "get", text: true })) ?? "";
  }

  async request<T = unknown>(req: ApiRequest): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.once(req)) as T;
      } catch (err) {
        const delay = this.retryDelay(req, err, attempt);
        if (delay === undefined) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private retryDelay(req: ApiRequest, err: unknown, attempt: number): number | undefined {
    if (attempt >= this.attempts || !(err instanceof KubeApiError)) return undefined;
    const idempotent = req.method === "GET";
    const retryable = err.status
      ? err.status === 429 ||
        (idempotent && RETRYABLE_STATUS.has(err.status)) ||
        err.retryAfterSeconds !== undefined
      : idempotent && err.networkCode !== undefined && RETRYABLE_NETWORK.has(err.networkCode);
    if (!retryable) return undefined;
    const backoff = this.backoffMs * 2 ** (attempt - 1);
    return Math.min(10_000, err.retryAfterSeconds !== undefined ? err.retryAfterSeconds * 1000 : backoff);
  }

  private async tlsOptions(): Promise<TlsOptions> {
    const opts: TlsOptions = { headers: {} };
    await this.authSource.applyToHTTPSOptions(opts as https.RequestOptions);
    opts.headers ??= {};
    const headers = opts.headers;
    const tokenFile = this.config.user.tokenFile;
    if (typeof tokenFile === "string") headers.Authorization = `Bearer ${this.fileToken(tokenFile)}`;
    const impersonate = this.config.impersonate;
    if (impersonate?.user) headers["Impersonate-User"] = impersonate.user;
    if (impersonate?.uid) headers["Impersonate-Uid"] = impersonate.uid;
    return opts;
  }

  /** Projected service-account tokens rotate, so the file is re-read every minute. */
  private fileToken(file: string): string {
    const now = Date.now();
    if (!this.tokenCache || now - this.tokenCache.readAt > 60_000)
      this.tokenCache = { token: readFileSync(file, "utf8").trim(), readAt: now };
    return this.tokenCache.token;
  }

  /** URL, headers and transport of one call, with the caller's credentials applied. */
  private async prepare(req: ApiRequest) {
    const url = new URL(req.path, this.server);
    for (const [key, value] of Object.entries(req.query ?? {})) url.searchParams.set(key, value);
    const opts = await this.tlsOptions();
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: http.OutgoingHttpHeaders = {
      ...opts.headers,
      Accept: "application/json",
      "User-Agent": "kubemend",
    };
    if (body) {
      headers["Content-Type"] = req.contentType ?? "application/json";
      headers["Content-Length"] = body.length;
    }
    const groups = this.config.impersonate?.groups ?? [];
    if (groups.length > 0) headers["Impersonate-Group"] = groups;
    // getBuiltinModule, not an ESM import: importing node:http as ESM reads every export, and one
    // of them loads Node's bundled fetch (undici), ~20 ms of start-up that --help would pay too.
    const transport = process.getBuiltinModule(url.protocol === "http:" ? "node:http" : "node:https");
    return { url, body, options: { ...opts, method: req.method, headers }, transport };
  }

  private async once(req: ApiRequest): Promise<unknown> {
    const { url, body, options, transport } = await this.prepare(req);
    const timeoutMs = this.options.requestTimeoutMs;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (err) => {
          clearTimeout(timer);
          reject(err instanceof KubeApiError ? err : networkError(req, this.server, err));
        });
        response.on("end", () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString("utf8");
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            if (req.text) resolve(text);
            else if (text === "") resolve(undefined);
            else
              try {
                resolve(JSON.parse(text));
              } catch {
                reject(notJsonError(req, this.server, text));
              }
            return;
          }
          reject(statusError(req, this.config, status, text, response.headers["retry-after"]));
        });
      });
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              request.destroy(timeoutError(req, this.server, timeoutMs));
            }, timeoutMs)
          : undefined;
      request.on("error", (err) => {
        clearTimeout(timer);
        reject(err instanceof KubeApiError ? err : networkError(req, this.server, err));
      });
      request.end(body);
    });
  }

  /** A JSON merge patch (lists in the patch replace the object's lists whole). */
  async patch<T = KubeObject>(ref: ResourceRef, body: unknown, query?: Record<string, string>): Promise<T> {
    return this.request<T>({
      method: "PATCH",
      path: resourcePath(ref),
      body,
      query,
      contentType: "application/merge-patch+json",
      verb: "patch",
      ref,
    });
  }

  /**
   * Watches a collection: one event per line of the API server's stream, until the server ends
   * it (timeoutSeconds), the signal aborts, or the connection drops. An expired resourceVersion
   * arrives as an ERROR event carrying a Status with code 410; the caller relists.
   * --request-timeout bounds only the wait for the response headers, not the stream.
   */
  async *watch<T = KubeObject>(ref: ResourceRef, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const query: Record<string, string> = { watch: "true", allowWatchBookmarks: "true" };
    if (options.labelSelector) query.labelSelector = options.labelSelector;
    if (options.fieldSelector) query.fieldSelector = options.fieldSelector;
    if (options.resourceVersion) query.resourceVersion = options.resourceVersion;
    if (options.timeoutSeconds !== undefined) query.timeoutSeconds = String(options.timeoutSeconds);
    const req: ApiRequest = { method: "GET", path: resourcePath(ref), query, verb: "watch", ref };
    const { url, options: requestOptions, transport } = await this.prepare(req);
    const timeoutMs = this.options.requestTimeoutMs;
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = transport.request(url, { ...requestOptions, signal: options.signal }, (res) => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () => reject(statusError(req, this.config, status, text, res.headers["retry-after"])));
      });
      const timer =
        timeoutMs > 0
          ? setTimeout(() => request.destroy(timeoutError(req, this.server, timeoutMs)), timeoutMs)
          : undefined;
      request.on("error", (err) => {
        clearTimeout(timer);
        reject(err instanceof KubeApiError ? err : networkError(req, this.server, err));
      });
      request.end();
    });
    let pending = "";
    try {
      for await (const chunk of response) {
        pending += (chunk as Buffer).toString("utf8");
        for (let newline = pending.indexOf("\n"); newline >= 0; newline = pending.indexOf("\n")) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (line) yield JSON.parse(line) as WatchEvent<T>;
        }
      }
    } catch (err) {
      if (options.signal?.aborted) return;
      throw err instanceof KubeApiError ? err : networkError(req, this.server, err as Error);
    } finally {
      response.destroy();
    }
  }
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this version, as returned by a list; without it the server sends the current state first. */
  resourceVersion?: string;
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

export function resourcePath(ref: ResourceRef): string {
  const base = ref.group === "" ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  const namespace = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : "";
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : "";
  const sub = ref.subresource ? `/${ref.subresource}` : "";
  return `${base}${namespace}/${ref.resource}${name}${sub}`;
}
