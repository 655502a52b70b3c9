// Test helper: a TCP proxy on loopback that counts the bytes a server sends and, once armed,
// cuts the connection (or runs an action, such as killing the server) at an exact byte.

import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export class CuttingProxy {
  private trigger?: { after: number; action?: () => void };
  private readonly sockets = new Set<Socket>();
  /** Bytes the server sent over every connection since the last arm(). */
  served = 0;
  private dropping = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** The server's URL; change it when the server restarts elsewhere. */
  target = "";

  static async start(target: string): Promise<CuttingProxy> {
    let proxy: CuttingProxy | undefined;
    const server = createServer((client) => {
      const { hostname, port } = new URL(proxy?.target ?? target);
      proxy?.pipe(client, hostname, Number(port));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address() as { port: number };
    proxy = new CuttingProxy(server, `http://127.0.0.1:${address.port}`);
    proxy.target = target;
    return proxy;
  }

  /** After `after` more bytes from the server: cut every connection, or run `action` instead. */
  arm(after: number, action?: () => void): void {
    this.served = 0;
    this.dropping = false;
    this.trigger = { after, action };
  }

  disarm(): void {
    this.trigger = undefined;
    this.dropping = false;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket, host: string, port: number): void {
    const upstream = tcpConnect(port, host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => {});
    }
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d: Buffer) => {
      const t = this.trigger;
      if (t !== undefined && this.served + d.length >= t.after) {
        const keep = t.after - this.served;
        this.served = t.after;
        this.trigger = undefined;
        if (keep > 0) client.write(d.subarray(0, keep));
        if (t.action === undefined) for (const s of [...this.sockets]) s.destroy();
        else {
          // The server dies here: nothing more of it reaches the client, which sees it close.
          this.dropping = true;
          t.action();
        }
        return;
      }
      if (this.dropping) return;
      this.served += d.length;
      client.write(d);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.end());
  }
}
