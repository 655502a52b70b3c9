import { isIP } from "node:net";
import { parseIp } from "@kubemend/lib/x509/ip";

/** Whether `ip` lies in `cidr` (IPv4 or IPv6); false for anything malformed. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, prefixText] = cidr.trim().split("/") as [string, string | undefined];
  const net = parseIp(base);
  const addr = parseIp(ip);
  if (!net || !addr || prefixText === undefined || isIP(base) !== isIP(ip)) return false;
  const prefix = Number(prefixText) + (isIP(base) === 4 ? 96 : 0);
  if (!Number.isInteger(prefix) || prefix > 128) return false;
  for (let bit = 0; bit < prefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((net[byte] as number) & mask) !== ((addr[byte] as number) & mask)) return false;
  }
  return true;
}
