import { readFileSync } from "node:fs";
import type http from "node:http";
import type https from "node:https";

export interface AuthSource {
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
}

/** Connections kept open to the API server; parallel calls beyond this wait for a free one. */
export const MAX_SOCKETS = 10;

/**
 * The credentials of a kubeconfig entry that holds only static material (CA, client certificate
 * and key, a bearer token, basic auth) and no proxy, applied without @kubernetes/client-node:
 * loading client-node's config module (a 2.4 MB bundle chunk) costs 100–150 ms per run, which such an
 * entry does not need. Exec plugins, auth providers and proxies return undefined and go through
 * client-node. One keep-alive agent serves every call, so TLS handshakes are not repeated.
 */
export function staticCredentials(
  server: string,
  cluster: Record<string, unknown>,
  user: Record<string, unknown>,
): AuthSource | undefined {
  if (user.exec !== undefined || user["auth-provider"] !== undefined || cluster["proxy-url"] !== undefined)
    return undefined;
  const tls: https.AgentOptions = {
    ca: material(cluster["certificate-authority"], cluster["certificate-authority-data"]),
    cert: material(user["client-certificate"], user["client-certificate-data"]),
    key: material(user["client-key"], user["client-key-data"]),
    servername: typeof cluster["tls-server-name"] === "string" ? cluster["tls-server-name"] : undefined,
  };
  if (cluster["insecure-skip-tls-verify"] === true) tls.rejectUnauthorized = false;
  // getBuiltinModule, as in client.ts: an ESM import of node:http(s) loads undici at start-up.
  const agent: http.Agent = server.startsWith("http:")
    ? new (process.getBuiltinModule("node:http").Agent)({ keepAlive: true, maxSockets: MAX_SOCKETS })
    : new (process.getBuiltinModule("node:https").Agent)({
        ...tls,
        keepAlive: true,
        maxSockets: MAX_SOCKETS,
      });
  const token = typeof user.token === "string" && user.token !== "" ? user.token : undefined;
  const basic =
    typeof user.username === "string" && user.username !== ""
      ? `${user.username}:${typeof user.password === "string" ? user.password : ""}`
      : undefined;
  return {
    async applyToHTTPSOptions(opts) {
      Object.assign(opts, tls);
      opts.agent = agent;
      if (token) opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
      if (basic) opts.auth = basic;
    },
  };
}

function material(file: unknown, data: unknown): Buffer | undefined {
  if (typeof file === "string" && file !== "") return readFileSync(file);
  if (typeof data === "string" && data !== "") return Buffer.from(data, "base64");
  return undefined;
}
