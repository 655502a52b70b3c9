import http from "node:http";

interface Listening {
  servers: http.Server[];
  status: number;
}

/**
 * Real sockets on <pod IP>:<containerPort> for the TCP ports pods declare, so that probes and
 * connectivity checks reach something. Every request is answered with the pod's current status
 * code (200, or 503 for a pod that fails readiness).
 */
export class PodPorts {
  private readonly pods = new Map<string, Listening>();

  constructor(private readonly onError: (err: unknown) => void) {}

  async open(uid: string, ip: string, ports: number[], status: number): Promise<void> {
    const existing = this.pods.get(uid);
    if (existing) {
      existing.status = status;
      return;
    }
    const listening: Listening = { servers: [], status };
    this.pods.set(uid, listening);
    await Promise.all(
      ports.map(
        (port) =>
          new Promise<void>((resolve) => {
            const server = http.createServer((_req, res) => {
              res.writeHead(listening.status, { "Content-Type": "text/plain" });
              res.end(listening.status === 200 ? "ok\n" : "not ready\n");
            });
            server.once("error", (err) => {
              this.onError(new Error(`pod ${uid}: cannot listen on ${ip}:${port}: ${err.message}`));
              resolve();
            });
            server.listen(port, ip, () => {
              if (this.pods.get(uid) === listening) listening.servers.push(server);
              else server.close();
              resolve();
            });
          }),
      ),
    );
  }

  close(uid: string): void {
    const listening = this.pods.get(uid);
    if (!listening) return;
    this.pods.delete(uid);
    for (const server of listening.servers) {
      server.close();
      server.closeAllConnections();
    }
  }

  closeAll(): void {
    for (const uid of [...this.pods.keys()]) this.close(uid);
  }
}
