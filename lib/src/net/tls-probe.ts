import { isIP } from "node:net";
import tls from "node:tls";
import { type CertificateInfo, describeCertificate } from "../x509/certificate.js";

export interface ProbeTarget {
  host: string;
  port: number;
  /** SNI; defaults to the host when it is a name (TLS forbids an IP in SNI). */
  serverName?: string;
  timeoutMs: number;
  /** Some servers (etcd) end the handshake without a client certificate. */
  client?: { certPem: string; keyPem: string };
}

export type ProbeResult =
  | { ok: true; endpoint: string; chain: CertificateInfo[]; unparsable: string[] }
  | { ok: false; endpoint: string; error: string };

export function endpointText(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Completes a TLS handshake without verifying anything and returns the certificates the server
 * presented, leaf first. Verification is off on purpose: an expired or self-signed certificate is
 * exactly what the caller wants to see.
 */
export function probeTls(target: ProbeTarget): Promise<ProbeResult> {
  const endpoint = endpointText(target.host, target.port);
  const serverName = target.serverName ?? (isIP(target.host) ? undefined : target.host);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      ...(serverName && { servername: serverName }),
      rejectUnauthorized: false,
      ...(target.client && { cert: target.client.certPem, key: target.client.keyPem }),
    });
    const timer = setTimeout(
      () => finish({ ok: false, endpoint, error: `no TLS handshake within ${target.timeoutMs}ms` }),
      target.timeoutMs,
    );
    socket.once("secureConnect", () => finish({ ok: true, endpoint, ...peerChain(socket) }));
    socket.once("error", (err: Error & { code?: string }) =>
      finish({ ok: false, endpoint, error: describeError(err) }),
    );
  });
}

/** Node links the presented certificates through issuerCertificate; the root points at itself. */
function peerChain(socket: tls.TLSSocket): { chain: CertificateInfo[]; unparsable: string[] } {
  const chain: CertificateInfo[] = [];
  const unparsable: string[] = [];
  const seen = new Set<tls.DetailedPeerCertificate>();
  for (
    let peer: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
    peer?.raw && !seen.has(peer);
    peer = peer.issuerCertificate
  ) {
    seen.add(peer);
    try {
      chain.push(describeCertificate(peer.raw));
    } catch (err) {
      unparsable.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { chain, unparsable };
}

/** One readable line: OpenSSL's messages carry source paths and hex that help nobody here. */
function describeError(err: Error & { code?: string }): string {
  const alert = /^ERR_SSL_.*ALERT_(\w+)$/.exec(err.code ?? "");
  if (alert)
    return `the server ended the TLS handshake (alert: ${(alert[1] as string).toLowerCase().replaceAll("_", " ")})`;
  if (err.code?.startsWith("ERR_SSL_")) return `TLS error ${err.code}`;
  return err.code ? `${err.code}: ${err.message}` : err.message;
}
