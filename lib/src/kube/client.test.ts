import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UsageError } from "../cli/errors.js";
import type { KubeFlags } from "../cli/kube-flags.js";
import {
  type ClientOptions,
  KubeClient,
  type KubeObject,
  parseRequestTimeout,
  resourcePath,
} from "./client.js";
import { isConflict, isForbidden, isNotFound, KubeApiError } from "./errors.js";
import { loadKubeConfig } from "./kubeconfig.js";

function flags(overrides: Partial<KubeFlags> = {}): KubeFlags {
  return {
    allNamespaces: false,
    asGroup: [],
    insecureSkipTlsVerify: false,
    requestTimeout: "0",
    ...overrides,
  };
}

let tmp: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "kubemend-client-"));
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  distinct: NodeJS.Dict<string[]>;
  body: string;
}

type Handler = (req: Seen, res: http.ServerResponse, index: number) => void;

/** A real HTTP server on 127.0.0.1 that records every request it gets. */
async function httpServer(handler: Handler): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const record: Seen = {
        method: req.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        distinct: req.headersDistinct,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      seen.push(record);
      handler(record, res, seen.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, seen };
}

/** A TCP server that accepts connections and never answers. */
async function stalledServer(): Promise<{ port: number; connections: () => number }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, connections: () => sockets.length };
}

/** A port that nothing listens on (it was open a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function status(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

/** A kubeconfig pointing at 127.0.0.1:port over plain HTTP, loaded with kubectl's rules. */
async function client(
  port: number,
  options: Partial<ClientOptions> = {},
  extra: { user?: string; flags?: Partial<KubeFlags> } = {},
): Promise<KubeClient> {
  const file = path.join(tmp, "config");
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
current-context: test
clusters:
- name: test
  cluster:
    server: http://127.0.0.1:${port}
    insecure-skip-tls-verify: true
users:
- name: test
  user:
${extra.user ?? "    token: kubeconfig-token"}
contexts:
- name: test
  context: {cluster: test, user: test}
`,
  );
  const config = loadKubeConfig(flags({ kubeconfig: file, ...extra.flags }), { env: { HOME: tmp } });
  return KubeClient.create(config, { requestTimeoutMs: 5000, attempts: 4, backoffMs: 1, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<KubeApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(KubeApiError);
    return err as KubeApiError;
  }
  throw new Error("expected the call to fail");
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * Watches the timers armed with exactly `ms` (the request timeout) and counts those still armed:
 * one left behind keeps a finished command's process alive until it fires.
 */
function armedTimers(ms: number): { armed(): number; total(): number } {
  const armed = new Set<unknown>();
  let total = 0;
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, delay?: number) => {
    const handle = realSet(() => {
      armed.delete(handle);
      fn();
    }, delay);
    if (delay === ms) {
      armed.add(handle);
      total++;
    }
    return handle;
  }) as typeof setTimeout);
  vi.spyOn(globalThis, "clearTimeout").mockImplementation(((handle?: NodeJS.Timeout) => {
    armed.delete(handle);
    realClear(handle);
  }) as typeof clearTimeout);
  return { armed: () => armed.size, total: () => total };
}

const SECRETS = { group: "", version: "v1", resource: "secrets" };
const CONFIGMAPS = { group: "", version: "v1", resource: "configmaps", namespace: "team" };

describe("parseRequestTimeout", () => {
  it.each([
    ["1s", 1000],
    ["30", 30_000],
    ["0", 0],
    ["500ms", 500],
    ["2m", 120_000],
    ["1m30s", 90_000],
  ])("%s → %d ms", (text, ms) => {
    expect(parseRequestTimeout(text)).toBe(ms);
  });

  it.each(["", "abc", "-1s", "1x", "1.5"])("rejects %j with a UsageError", (text) => {
    let caught: unknown;
    try {
      parseRequestTimeout(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).exitCode).toBe(2);
    expect((caught as UsageError).message).toBe(`invalid --request-timeout "${text}"`);
  });
});

describe("resourcePath", () => {
  it("addresses the core group under /api", () => {
    expect(resourcePath({ group: "", version: "v1", resource: "nodes" })).toBe("/api/v1/nodes");
    expect(resourcePath({ group: "", version: "v1", resource: "nodes", name: "n1" })).toBe(
      "/api/v1/nodes/n1",
    );
  });

  it("addresses named groups under /apis", () => {
    expect(resourcePath({ group: "apps", version: "v1", resource: "deployments" })).toBe(
      "/apis/apps/v1/deployments",
    );
  });

  it("puts the namespace before the resource", () => {
    expect(
      resourcePath({ group: "", version: "v1", resource: "pods", namespace: "kube-system", name: "etcd-a" }),
    ).toBe("/api/v1/namespaces/kube-system/pods/etcd-a");
    expect(
      resourcePath({ group: "discovery.k8s.io", version: "v1", resource: "endpointslices", namespace: "x" }),
    ).toBe("/apis/discovery.k8s.io/v1/namespaces/x/endpointslices");
  });

  it("appends the subresource after the name", () => {
    expect(
      resourcePath({
        group: "certificates.k8s.io",
        version: "v1",
        resource: "certificatesigningrequests",
        name: "csr-abc",
        subresource: "approval",
      }),
    ).toBe("/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-abc/approval");
  });

  it("escapes names", () => {
    expect(resourcePath({ group: "", version: "v1", resource: "pods", namespace: "a/b", name: "x y" })).toBe(
      "/api/v1/namespaces/a%2Fb/pods/x%20y",
    );
  });
});

describe("KubeClient against a local server", () => {
  it("times out on a server that never answers, within the request timeout", async () => {
    const stalled = await stalledServer();
    const c = await client(stalled.port, { requestTimeoutMs: 1000 });
    const started = Date.now();
    const err = await rejection(c.raw("/version"));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThanOrEqual(4000); // the 1 s timeout fired, not a hang; loose for a loaded CI machine
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(
      `no answer from the API server at http://127.0.0.1:${stalled.port} within 1s (get /version)`,
    );
    expect(err.message).not.toContain("\n");
    expect(err.hint).toContain("--request-timeout");
    // A timeout is not retried: the user asked for at most 1s.
    expect(stalled.connections()).toBe(1);
  });

  it("times out when the server sends headers and then stalls the body", async () => {
    const { port } = await httpServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"items": [');
    });
    const c = await client(port, { requestTimeoutMs: 500 });
    const started = Date.now();
    const err = await rejection(c.raw("/api/v1/pods"));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err.message).toBe(
      `no answer from the API server at http://127.0.0.1:${port} within 500ms (get /api/v1/pods)`,
    );
  });

  it("retries a GET whose connection drops in the middle of the body", async () => {
    const server = await httpServer((_req, res, i) => {
      if (i === 0) {
        res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "100" });
        res.write('{"items": [');
        setTimeout(() => res.socket?.destroy(), 20);
      } else json(res, 200, { items: [] });
    });
    const c = await client(server.port, { requestTimeoutMs: 0, attempts: 2 });
    expect(await c.raw("/api/v1/pods")).toEqual({ items: [] });
    expect(server.seen.length).toBe(2);
  });

  it("reports a connection that drops in the middle of the body", async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "100" });
      res.write('{"items": [');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const c = await client(server.port, { requestTimeoutMs: 60_000, attempts: 1 });
    const timers = armedTimers(60_000);
    const err = await rejection(c.raw("/api/v1/pods"));
    expect(timers.total()).toBe(1);
    expect(timers.armed()).toBe(0);
    expect(err.networkCode).toBe("ECONNRESET");
    expect(err.message).toBe(
      `the API server at http://127.0.0.1:${server.port} dropped the connection (get /api/v1/pods)`,
    );
  });

  it("retries 429 with Retry-After: 0 and succeeds on the third attempt", async () => {
    const server = await httpServer((_req, res, i) => {
      if (i < 2) json(res, 429, status(429, "TooManyRequests", "too many requests"), { "Retry-After": "0" });
      else json(res, 200, { kind: "Pod", metadata: { name: "p" } });
    });
    const c = await client(server.port, { attempts: 4 });
    const pod = await c.get({ group: "", version: "v1", resource: "pods", namespace: "ns", name: "p" });
    expect(pod).toEqual({ kind: "Pod", metadata: { name: "p" } });
    expect(server.seen.length).toBe(3);
    expect(server.seen.map((s) => s.path)).toEqual([
      "/api/v1/namespaces/ns/pods/p",
      "/api/v1/namespaces/ns/pods/p",
      "/api/v1/namespaces/ns/pods/p",
    ]);
  });

  it("gives up after the configured attempts", async () => {
    const server = await httpServer((_req, res) => {
      json(res, 503, status(503, "ServiceUnavailable", "etcd is down"));
    });
    const c = await client(server.port, { attempts: 3 });
    const err = await rejection(c.raw("/readyz"));
    expect(server.seen.length).toBe(3);
    expect(err.status).toBe(503);
    expect(err.message).toBe("get /readyz failed: 503 ServiceUnavailable etcd is down");
    expect(err.hint).toBe("the API server is overloaded or unhealthy; retry later or check its /readyz");
  });

  it("explains a 403 in RBAC terms, without retrying", async () => {
    const server = await httpServer((_req, res) => {
      json(
        res,
        403,
        status(
          403,
          "Forbidden",
          'secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" at the cluster scope',
        ),
      );
    });
    const c = await client(server.port);
    const err = await rejection(collect(c.list(SECRETS)));
    expect(server.seen.length).toBe(1);
    expect(err.exitCode).toBe(3);
    expect(err.status).toBe(403);
    expect(err.reason).toBe("Forbidden");
    expect(isForbidden(err)).toBe(true);
    expect(err.message).toBe("forbidden: cannot list secrets at the cluster scope");
    expect(err.message).toContain("list secrets");
    expect(err.hint).toContain("kubectl auth can-i list secrets -A");
  });

  it("names the namespace and group of a forbidden namespaced request", async () => {
    const server = await httpServer((_req, res) => json(res, 403, status(403, "Forbidden", "no")));
    const c = await client(server.port);
    const err = await rejection(
      c.get({ group: "apps", version: "v1", resource: "deployments", namespace: "prod", name: "web" }),
    );
    expect(err.message).toBe('forbidden: cannot get deployments.apps in namespace "prod"');
    expect(err.hint).toContain("kubectl auth can-i get deployments.apps -n prod");
  });

  it("does not retry a POST that gets a 500", async () => {
    const server = await httpServer((_req, res) => json(res, 500, status(500, "InternalError", "boom")));
    const c = await client(server.port, { attempts: 4 });
    const err = await rejection(c.create(CONFIGMAPS, { metadata: { name: "x" } }));
    expect(server.seen.length).toBe(1);
    expect(server.seen[0]?.method).toBe("POST");
    expect(err.status).toBe(500);
    expect(err.message).toBe('create configmaps in namespace "team" failed: 500 InternalError boom');
  });

  it("does retry a GET that gets a 500", async () => {
    const server = await httpServer((_req, res, i) =>
      i === 0 ? json(res, 500, status(500, "InternalError", "boom")) : json(res, 200, { ok: true }),
    );
    const c = await client(server.port, { attempts: 4 });
    expect(await c.raw("/version")).toEqual({ ok: true });
    expect(server.seen.length).toBe(2);
  });

  it("retries a POST that gets a 429 (the server did not act on it)", async () => {
    const server = await httpServer((_req, res, i) =>
      i === 0
        ? json(res, 429, status(429, "TooManyRequests", "slow down"), { "Retry-After": "0" })
        : json(res, 201, { metadata: { name: "x" } }),
    );
    const c = await client(server.port);
    expect(await c.create(CONFIGMAPS, { metadata: { name: "x" } })).toEqual({ metadata: { name: "x" } });
    expect(server.seen.length).toBe(2);
  });

  it("sends the body of a POST as JSON", async () => {
    const server = await httpServer((_req, res) => json(res, 201, { metadata: { name: "x" } }));
    const c = await client(server.port);
    await c.create(CONFIGMAPS, { metadata: { name: "x" }, data: { k: "v" } }, { dryRun: "All" });
    const seen = server.seen[0] as Seen;
    expect(seen.path).toBe("/api/v1/namespaces/team/configmaps");
    expect(seen.query.get("dryRun")).toBe("All");
    expect(seen.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen.body)).toEqual({ metadata: { name: "x" }, data: { k: "v" } });
  });

  it("uses PUT for replace and DELETE for delete", async () => {
    const server = await httpServer((_req, res) => json(res, 200, { metadata: { name: "x" } }));
    const c = await client(server.port);
    await c.replace({ ...CONFIGMAPS, name: "x" }, { metadata: { name: "x" } });
    await c.delete({ ...CONFIGMAPS, name: "x" });
    expect(server.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      "PUT /api/v1/namespaces/team/configmaps/x",
      "DELETE /api/v1/namespaces/team/configmaps/x",
    ]);
  });

  it("reports 404 and 409 so callers can tell them apart", async () => {
    const server = await httpServer((_req, res, i) =>
      i === 0
        ? json(res, 404, status(404, "NotFound", "gone"))
        : json(res, 409, status(409, "Conflict", "changed")),
    );
    const c = await client(server.port);
    const missing = await rejection(c.get({ ...CONFIGMAPS, name: "x" }));
    expect(isNotFound(missing)).toBe(true);
    expect(missing.message).toBe('not found: configmaps "x" in namespace "team"');
    const conflict = await rejection(c.replace({ ...CONFIGMAPS, name: "x" }, {}));
    expect(isConflict(conflict)).toBe(true);
    expect(server.seen.length).toBe(2);
  });

  it("explains a 401 naming the server and the kubeconfig user", async () => {
    const server = await httpServer((_req, res) =>
      json(res, 401, status(401, "Unauthorized", "Unauthorized")),
    );
    const c = await client(server.port);
    const err = await rejection(c.raw("/version"));
    expect(err.message).toBe(
      `Unauthorized: the API server at http://127.0.0.1:${server.port} rejected the credentials of user "test"`,
    );
    expect(server.seen.length).toBe(1);
  });

  it("reports connection refused with exit code 3", async () => {
    const port = await closedPort();
    const c = await client(port, { attempts: 2 });
    const err = await rejection(c.raw("/version"));
    expect(err.exitCode).toBe(3);
    expect(err.networkCode).toBe("ECONNREFUSED");
    expect(err.message).toBe(
      `cannot connect to the API server at http://127.0.0.1:${port}: connection refused (get /version)`,
    );
    expect(err.hint).toBe("is kube-apiserver running, and does the kubeconfig (or --server) point at it?");
  });

  it("pages through a list with limit and continue", async () => {
    const pages = [
      { items: [{ metadata: { name: "a" } }, { metadata: { name: "b" } }], metadata: { continue: "t1" } },
      { items: [{ metadata: { name: "c" } }, { metadata: { name: "d" } }], metadata: { continue: "t2" } },
      { items: [{ metadata: { name: "e" } }], metadata: { continue: "" } },
    ];
    const server = await httpServer((req, res) => {
      const token = req.query.get("continue");
      json(res, 200, { kind: "PodList", ...pages[token === null ? 0 : token === "t1" ? 1 : 2] });
    });
    const c = await client(server.port);
    const pods = await collect(
      c.list<KubeObject>(
        { group: "", version: "v1", resource: "pods", namespace: "ns" },
        {
          limit: 2,
          labelSelector: "app=web",
          fieldSelector: "status.phase=Running",
        },
      ),
    );
    expect(pods.map((p) => p.metadata.name)).toEqual(["a", "b", "c", "d", "e"]);
    expect(server.seen.map((s) => Object.fromEntries(s.query))).toEqual([
      { limit: "2", labelSelector: "app=web", fieldSelector: "status.phase=Running" },
      { limit: "2", labelSelector: "app=web", fieldSelector: "status.phase=Running", continue: "t1" },
      { limit: "2", labelSelector: "app=web", fieldSelector: "status.phase=Running", continue: "t2" },
    ]);
    expect(new Set(server.seen.map((s) => s.path))).toEqual(new Set(["/api/v1/namespaces/ns/pods"]));
  });

  it("asks for 500 objects a page by default, like kubectl", async () => {
    const server = await httpServer((_req, res) => json(res, 200, { items: [], metadata: {} }));
    const c = await client(server.port);
    expect(await collect(c.list(SECRETS))).toEqual([]);
    expect(server.seen.length).toBe(1);
    expect(server.seen[0]?.query.get("limit")).toBe("500");
    expect(server.seen[0]?.query.has("continue")).toBe(false);
  });

  it("fetches the next page only when the caller gets that far", async () => {
    const server = await httpServer((_req, res) =>
      json(res, 200, { items: [{ metadata: { name: "a" } }], metadata: { continue: "more" } }),
    );
    const c = await client(server.port);
    for await (const item of c.list(SECRETS)) {
      expect(item.metadata.name).toBe("a");
      break;
    }
    expect(server.seen.length).toBe(1);
  });

  it("leaves no request timer behind after an answer", async () => {
    const server = await httpServer((_req, res, i) =>
      i === 0 ? json(res, 200, {}) : json(res, 404, status(404, "NotFound", "no")),
    );
    const c = await client(server.port, { requestTimeoutMs: 60_000 });
    const timers = armedTimers(60_000);
    await c.raw("/version");
    await rejection(c.raw("/missing"));
    expect(timers.total()).toBe(2);
    expect(timers.armed()).toBe(0);
  });

  it("sends the kubeconfig token, Accept and User-Agent", async () => {
    const server = await httpServer((_req, res) => json(res, 200, {}));
    const c = await client(server.port);
    await c.raw("/version");
    const headers = server.seen[0]?.headers ?? {};
    expect(headers.authorization).toBe("Bearer kubeconfig-token");
    expect(headers.accept).toBe("application/json");
    expect(headers["user-agent"]).toBe("kubemend");
    expect(headers["impersonate-user"]).toBeUndefined();
  });

  it("sends Impersonate-User and one Impersonate-Group header per group", async () => {
    const server = await httpServer((_req, res) => json(res, 200, {}));
    const c = await client(
      server.port,
      {},
      { flags: { as: "jane", asGroup: ["devs", "ops"], asUid: "u-1" } },
    );
    await c.raw("/version");
    const seen = server.seen[0] as Seen;
    expect(seen.distinct["impersonate-user"]).toEqual(["jane"]);
    expect(seen.distinct["impersonate-group"]).toEqual(["devs", "ops"]);
    expect(seen.distinct["impersonate-uid"]).toEqual(["u-1"]);
  });

  it("impersonates as the kubeconfig user's as, as-groups and as-uid say", async () => {
    const server = await httpServer((_req, res) => json(res, 200, {}));
    const c = await client(
      server.port,
      {},
      { user: "    token: t\n    as: bob\n    as-groups: [g1, g2]\n    as-uid: u-9" },
    );
    await c.raw("/version");
    const seen = server.seen[0] as Seen;
    expect(seen.distinct["impersonate-user"]).toEqual(["bob"]);
    expect(seen.distinct["impersonate-group"]).toEqual(["g1", "g2"]);
    expect(seen.distinct["impersonate-uid"]).toEqual(["u-9"]);
  });

  it("lets --as and --as-group replace the kubeconfig's impersonation", async () => {
    const server = await httpServer((_req, res) => json(res, 200, {}));
    const c = await client(
      server.port,
      {},
      { user: "    token: t\n    as: bob\n    as-groups: [g1, g2]", flags: { as: "jane", asGroup: ["ops"] } },
    );
    await c.raw("/version");
    const seen = server.seen[0] as Seen;
    expect(seen.distinct["impersonate-user"]).toEqual(["jane"]);
    expect(seen.distinct["impersonate-group"]).toEqual(["ops"]);
  });

  it("reads a tokenFile user's token from the file, relative to the kubeconfig", async () => {
    writeFileSync(path.join(tmp, "token"), "file-token\n");
    const server = await httpServer((_req, res) => json(res, 200, {}));
    const c = await client(server.port, {}, { user: "    tokenFile: token" });
    await c.raw("/version");
    expect(server.seen[0]?.headers.authorization).toBe("Bearer file-token");
  });

  it("lets --token replace the tokenFile", async () => {
    writeFileSync(path.join(tmp, "token"), "file-token\n");
    const server = await httpServer((_req, res) => json(res, 200, {}));
    const c = await client(server.port, {}, { user: "    tokenFile: token", flags: { token: "flag-token" } });
    await c.raw("/version");
    expect(server.seen[0]?.headers.authorization).toBe("Bearer flag-token");
  });

  it("returns undefined for an empty body, and fails in one line on a 2xx that is not JSON", async () => {
    const server = await httpServer((_req, res, i) => {
      res.writeHead(200);
      res.end(i === 0 ? "" : "<html><body>Welcome to nginx!</body></html>");
    });
    const c = await client(server.port);
    expect(await c.raw("/a")).toBeUndefined();
    await expect(c.raw("/version")).rejects.toThrow(
      /^get \/version at https?:\/\/127\.0\.0\.1:\d+ answered with something that is not JSON: "<html><body>Welcome to nginx!<\/body><\/html>"$/,
    );
  });

  it("reads text where text is the answer (a pod's log, /livez)", async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200);
      res.end("ok");
    });
    const c = await client(server.port);
    expect(await c.rawText("/livez")).toBe("ok");
  });
});

describe("KubeClient.patch and watch", () => {
  it("sends a JSON merge patch with the patch verb's content type", async () => {
    const srv = await httpServer((_seen, res) => json(res, 200, { metadata: { name: "a" } }));
    const c = await client(srv.port);
    await c.patch({ ...CONFIGMAPS, name: "a" }, { data: { k: "v" } });
    expect(srv.seen[0]?.method).toBe("PATCH");
    expect(srv.seen[0]?.path).toBe("/api/v1/namespaces/team/configmaps/a");
    expect(srv.seen[0]?.headers["content-type"]).toBe("application/merge-patch+json");
    expect(JSON.parse(srv.seen[0]?.body ?? "")).toEqual({ data: { k: "v" } });
  });

  it("yields one event per line, split across chunks, with the watch query", async () => {
    const srv = await httpServer((_seen, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":"MODI');
      setTimeout(() => {
        res.write('FIED","object":{"metadata":{"name":"a","resourceVersion":"7"}}}\n');
        res.end('{"type":"DELETED","object":{"metadata":{"name":"a"}}}\n');
      }, 20);
    });
    const c = await client(srv.port);
    const events = await collect(
      c.watch(CONFIGMAPS, { labelSelector: "app=x", resourceVersion: "5", timeoutSeconds: 30 }),
    );
    expect(events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual([
      "ADDED:a",
      "MODIFIED:a",
      "DELETED:a",
    ]);
    const query = srv.seen[0]?.query;
    expect(query?.get("watch")).toBe("true");
    expect(query?.get("labelSelector")).toBe("app=x");
    expect(query?.get("resourceVersion")).toBe("5");
    expect(query?.get("timeoutSeconds")).toBe("30");
  });

  it("turns a refused watch into the same RBAC message as any call", async () => {
    const srv = await httpServer((_seen, res) =>
      json(res, 403, status(403, "Forbidden", "configmaps is forbidden")),
    );
    const c = await client(srv.port);
    const err = await rejection(collect(c.watch(CONFIGMAPS)));
    expect(err.message).toBe('forbidden: cannot watch configmaps in namespace "team"');
  });

  it("ends quietly when the caller aborts", async () => {
    const srv = await httpServer((_seen, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n');
    });
    const c = await client(srv.port);
    const abort = new AbortController();
    const names: string[] = [];
    for await (const event of c.watch(CONFIGMAPS, { signal: abort.signal })) {
      names.push(event.object.metadata.name);
      abort.abort();
    }
    expect(names).toEqual(["a"]);
  });
});
