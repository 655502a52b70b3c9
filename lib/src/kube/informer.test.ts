import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { KubeClient, type KubeObject } from "./client.js";
import { Informer } from "./informer.js";
import { loadKubeConfig } from "./kubeconfig.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const cm = (name: string, rv: string): KubeObject => ({
  metadata: { name, namespace: "team", resourceVersion: rv },
});

/** A list, then a watch that reports changes, then (on the second watch) a 410, then a relist. */
async function apiServer(): Promise<{ client: KubeClient; requests: string[] }> {
  const requests: string[] = [];
  let watches = 0;
  let lists = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(
      `${url.searchParams.get("watch") ? "watch" : "list"} rv=${url.searchParams.get("resourceVersion") ?? ""}`,
    );
    res.writeHead(200, { "Content-Type": "application/json" });
    if (!url.searchParams.get("watch")) {
      lists++;
      const items = lists === 1 ? [cm("a", "1"), cm("b", "2")] : [cm("a", "3"), cm("c", "9")];
      res.end(JSON.stringify({ items, metadata: { resourceVersion: lists === 1 ? "2" : "9" } }));
      return;
    }
    watches++;
    if (watches === 1) {
      res.write(`${JSON.stringify({ type: "MODIFIED", object: cm("a", "3") })}\n`);
      res.end(`${JSON.stringify({ type: "DELETED", object: cm("b", "4") })}\n`);
    } else if (watches === 2) {
      res.end(
        `${JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 410, message: "too old" } })}\n`,
      );
    } else {
      res.write("");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const dir = mkdtempSync(path.join(tmpdir(), "informer-"));
  const file = path.join(dir, "config");
  writeFileSync(
    file,
    `clusters: [{name: c, cluster: {server: "http://127.0.0.1:${(server.address() as AddressInfo).port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
  );
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = loadKubeConfig(
    {
      kubeconfig: file,
      allNamespaces: false,
      asGroup: [],
      insecureSkipTlsVerify: false,
      requestTimeout: "5s",
    },
    { env: { HOME: dir } },
  );
  return { client: await KubeClient.create(config, { requestTimeoutMs: 5000 }), requests };
}

it("lists, follows the watch, and relists after a 410, reporting what vanished as DELETED", async () => {
  const { client, requests } = await apiServer();
  const events: string[] = [];
  const informer = new Informer(
    client,
    { group: "", version: "v1", resource: "configmaps", namespace: "team" },
    {},
    (type, o) => events.push(`${type} ${o.metadata.name}@${o.metadata.resourceVersion}`),
  );
  await informer.whenSynced();
  for (let i = 0; i < 100 && events.length < 5; i++) await new Promise((r) => setTimeout(r, 20));
  informer.stop();
  expect(events).toEqual(["ADDED a@1", "ADDED b@2", "MODIFIED a@3", "DELETED b@4", "ADDED c@9"]);
  expect(informer.items().map((o) => o.metadata.name)).toEqual(["a", "c"]);
  expect(requests.slice(0, 4)).toEqual(["list rv=", "watch rv=2", "watch rv=4", "list rv="]);
});
