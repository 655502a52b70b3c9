import net from "node:net";

export interface LoadBalancer {
  address: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A TCP pass-through load balancer, as HAProxy runs in front of the API servers in S3: TLS goes
 * straight through, so clients see the API server's own certificate at the balancer's address.
 */
export async function startLoadBalancer(
  listen: { address: string; port: number },
  backends: { host: string; port: number }[],
): Promise<LoadBalancer> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const backend = backends[next++ % backends.length] as { host: string; port: number };
    const upstream = net.connect(backend);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.address, () => resolve());
  });
  return {
    ...listen,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
