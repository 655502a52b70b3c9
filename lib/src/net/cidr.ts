import { isIP } from "node:net";
import { parseIp } from "./ip.js";

export interface Cidr {
  text: string;
  /** 16 bytes; IPv4 as IPv4-mapped IPv6. */
  network: Uint8Array;
  /** Over 128 bits (an IPv4 /12 is 108). */
  prefix: number;
}

/** Parses "10.96.0.0/12" or "fd00::/108"; a bare address is a single-address block. */
export function parseCidr(text: string): Cidr | undefined {
  const [base, prefixText] = text.trim().split("/") as [string, string | undefined];
  const network = parseIp(base);
  const family = isIP(base);
  if (!network || family === 0) return undefined;
  const width = family === 4 ? 32 : 128;
  const bits = prefixText === undefined ? width : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(width)) || bits > width) return undefined;
  return { text: text.trim(), network, prefix: bits + (family === 4 ? 96 : 0) };
}

export function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  for (let bit = 0; bit < cidr.prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    const byte = bit >> 3;
    if (((cidr.network[byte] as number) & mask) !== ((ip[byte] as number) & mask)) return false;
  }
  return true;
}

const SPECIAL: [string, string][] = [
  ["0.0.0.0/32", "unspecified"],
  ["::/128", "unspecified"],
  ["127.0.0.0/8", "loopback"],
  ["::1/128", "loopback"],
  ["169.254.0.0/16", "link-local"],
  ["fe80::/10", "link-local"],
  ["224.0.0.0/4", "multicast"],
  ["ff00::/8", "multicast"],
];
const SPECIAL_BLOCKS = SPECIAL.map(([cidr, kind]) => ({ cidr: parseCidr(cidr) as Cidr, kind }));

/** "unspecified", "loopback", "link-local" or "multicast": addresses no node can be reached at. */
export function specialAddress(ip: Uint8Array): string | undefined {
  return SPECIAL_BLOCKS.find(({ cidr }) => cidrContains(cidr, ip))?.kind;
}

/** Whether the address text lies in the block text, both of one family; false for anything malformed. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const block = parseCidr(cidr);
  const address = parseIp(ip);
  const base = cidr.trim().split("/")[0] as string;
  return (
    block !== undefined && address !== undefined && isIP(base) === isIP(ip) && cidrContains(block, address)
  );
}
