import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { probeTls } from "@kubemend/lib/net/tls-probe";
import type { FoundCert } from "../model.js";
import { certsFromChain } from "./bundle.js";
import { isLocalAddress } from "./local.js";

const ETCD_CLIENT_PORT = 2379;

/**
 * What the local etcd presents on :2379, at each of etcd/server.crt's IP SANs that belongs to this
 * machine, for served-versus-on-disk drift. etcd asks for a client certificate, so the handshake
 * uses kubeadm's healthcheck client when it is readable.
 */
export async function probeLocalEtcd(pkiDir: string, diskServer: FoundCert | undefined, timeoutMs: number) {
  const ips = diskServer?.cert?.sans.ip ?? [];
  const clientCert = path.join(pkiDir, "etcd", "healthcheck-client.crt");
  const clientKey = path.join(pkiDir, "etcd", "healthcheck-client.key");
  const client =
    existsSync(clientCert) && existsSync(clientKey)
      ? { certPem: readFileSync(clientCert, "utf8"), keyPem: readFileSync(clientKey, "utf8") }
      : undefined;
  const certs: FoundCert[] = [];
  for (const ip of ips) {
    if (ip === "127.0.0.1" || ip === "::1" || !(await isLocalAddress(ip))) continue;
    const result = await probeTls({ host: ip, port: ETCD_CLIENT_PORT, timeoutMs, ...(client && { client }) });
    if (!result.ok) continue;
    const served = { endpoint: result.endpoint, host: ip, local: true, component: "etcd" };
    certs.push(
      ...certsFromChain(result.chain, {
        source: "served",
        location: result.endpoint,
        holder: { endpoint: result.endpoint },
        served,
      }),
    );
  }
  return certs;
}
