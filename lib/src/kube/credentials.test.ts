import http from "node:http";
import type https from "node:https";
import { describe, expect, it } from "vitest";
import { KubeClient } from "./client.js";
import { staticCredentials } from "./credentials.js";
import type { ResolvedKubeConfig } from "./kubeconfig.js";

const pem = (text: string) => Buffer.from(text).toString("base64");

describe("staticCredentials", () => {
  it("leaves exec plugins, auth providers and proxies to client-node", () => {
    expect(staticCredentials("https://x", {}, { exec: { command: "aws" } })).toBeUndefined();
    expect(staticCredentials("https://x", {}, { "auth-provider": { name: "oidc" } })).toBeUndefined();
    expect(staticCredentials("https://x", { "proxy-url": "http://proxy:3128" }, {})).toBeUndefined();
  });

  it("applies the CA, client certificate, key, server name and token", async () => {
    const source = staticCredentials(
      "https://x",
      { "certificate-authority-data": pem("CA"), "tls-server-name": "kubernetes" },
      { "client-certificate-data": pem("CERT"), "client-key-data": pem("KEY"), token: "t0k" },
    );
    const opts: https.RequestOptions = { headers: {} };
    await source?.applyToHTTPSOptions(opts);
    expect([String(opts.ca), String(opts.cert), String(opts.key), opts.servername]).toEqual([
      "CA",
      "CERT",
      "KEY",
      "kubernetes",
    ]);
    expect(opts.headers).toEqual({ Authorization: "Bearer t0k" });
    expect(opts.rejectUnauthorized).toBeUndefined();
    expect(opts.agent).toBeInstanceOf(http.Agent);
  });

  it("reuses one connection for calls made one after another", async () => {
    const sockets = new Set<unknown>();
    const server = http.createServer((req, res) => {
      sockets.add(req.socket);
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ kind: "Namespace", metadata: { name: "default" } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const config = {
        server: `http://127.0.0.1:${port}`,
        cluster: { server: `http://127.0.0.1:${port}`, "insecure-skip-tls-verify": true },
        user: { token: "t" },
      } as unknown as ResolvedKubeConfig;
      const client = await KubeClient.create(config, { requestTimeoutMs: 5000 });
      for (let i = 0; i < 3; i++) await client.raw("/api/v1/namespaces/default");
      expect(sockets.size).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
