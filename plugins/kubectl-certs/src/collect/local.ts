import net from "node:net";
import { formatIp, parseIp } from "@kubemend/lib/net/ip";

/**
 * Whether an IP belongs to this machine, by binding a socket to it: that also sees addresses that
 * interface listings miss (Linux "AnyIP" local routes, VIPs held by keepalived).
 */
export function isLocalAddress(ip: string): Promise<boolean> {
  if (net.isIP(ip) === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(0, ip, () => server.close(() => resolve(true)));
  });
}

export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip && formatIp(ip);
}
