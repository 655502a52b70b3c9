import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { KubeObject } from "@kubemend/lib/kube/client";
import { KUBELET_PORT } from "./node.js";
import type { ServingCertificate } from "./serving-cert.js";

export interface KubeletServerOptions {
  ip: string;
  port?: number;
  /** Client certificates must chain to this CA (the kubelet's --client-ca-file); no anonymous access. */
  clientCaPem: string;
  /** The pods bound to the node, for /pods. */
  pods: () => KubeObject[];
}

/**
 * The kubelet's HTTPS endpoint on <node IP>:10250. The certificate it presents can change while it
 * runs (serverTLSBootstrap rotation, or a switch from the self-signed one); until it has one, every
 * handshake fails, as a kubelet waiting for its serving CSR fails them.
 */
export class KubeletServer {
  private certificate: ServingCertificate | undefined;

  private constructor(
    private readonly server: https.Server,
    private readonly options: KubeletServerOptions,
  ) {}

  static async start(
    options: KubeletServerOptions,
    certificate?: ServingCertificate,
  ): Promise<KubeletServer> {
    const server = https.createServer({
      ca: options.clientCaPem,
      requestCert: true,
      rejectUnauthorized: true,
      ...(certificate && { cert: certificate.certPem, key: certificate.keyPem }),
    });
    const kubelet = new KubeletServer(server, options);
    kubelet.certificate = certificate;
    server.on("request", (req, res) => kubelet.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? KUBELET_PORT, options.ip, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return kubelet;
  }

  get url(): string {
    return `https://${this.options.ip}:${this.options.port ?? KUBELET_PORT}`;
  }

  /** The certificate new connections get; undefined makes them fail. */
  serve(certificate: ServingCertificate | undefined): void {
    this.certificate = certificate;
    this.server.setSecureContext({
      ca: this.options.clientCaPem,
      ...(certificate && { cert: certificate.certPem, key: certificate.keyPem }),
    });
  }

  served(): ServingCertificate | undefined {
    return this.certificate;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? "/", "https://kubelet").pathname;
    if (req.method !== "GET") reply(res, 405, "text/plain", "405 method not allowed\n");
    else if (path === "/healthz") reply(res, 200, "text/plain", "ok");
    else if (path === "/pods") {
      const list = { kind: "PodList", apiVersion: "v1", metadata: {}, items: this.options.pods() };
      reply(res, 200, "application/json", JSON.stringify(list));
    } else reply(res, 404, "text/plain", "404 page not found\n");
  }
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
