import { isIP } from "node:net";

/**
 * Parses an IPv4 or IPv6 address (brackets and an IPv6 zone are allowed) into 16 bytes, IPv4 as
 * IPv4-mapped IPv6, so that equal addresses compare equal whatever their spelling.
 */
export function parseIp(text: string): Uint8Array | undefined {
  let address = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const zone = address.indexOf("%");
  if (zone !== -1) address = address.slice(0, zone);
  const family = isIP(address);
  if (family === 4) return mapped(address.split(".").map(Number));
  if (family !== 6) return undefined;

  const out = new Uint8Array(16);
  let tail = address;
  let v4: number[] | undefined;
  const lastColon = tail.lastIndexOf(":");
  if (tail.includes(".", lastColon)) {
    v4 = tail
      .slice(lastColon + 1)
      .split(".")
      .map(Number);
    tail = `${tail.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = tail.split("::") as [string, string | undefined];
  const headGroups = head === "" ? [] : head.split(":");
  const restGroups = rest === undefined || rest === "" ? [] : rest.split(":");
  const groups = [
    ...headGroups,
    ...Array(8 - headGroups.length - restGroups.length).fill("0"),
    ...restGroups,
  ];
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    out[i * 2] = value >> 8;
    out[i * 2 + 1] = value & 0xff;
  });
  if (v4) out.set(v4, 12);
  return out;
}

function mapped(v4: number[]): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  return (
    bytes.length === 16 &&
    bytes.subarray(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff
  );
}

/**
 * Formats 4 or 16 address bytes: IPv4 (also IPv4-mapped IPv6, as Go prints it) dotted, IPv6 in
 * RFC 5952 form. Any other length (not an address) comes back as hex.
 */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  if (bytes.length !== 16) return Buffer.from(bytes).toString("hex");
  if (isV4Mapped(bytes)) return Array.from(bytes.subarray(12)).join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

export function sameIp(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The address `offset` places after the network address of `cidr` ("10.96.0.0/12", 1 → 10.96.0.1). */
export function addressInCidr(cidr: string, offset: number): string {
  const [base, prefixText] = cidr.trim().split("/") as [string, string | undefined];
  const bytes = parseIp(base);
  const v4 = isIP(base) === 4;
  const prefix = Number(prefixText) + (v4 ? 96 : 0);
  if (!bytes || !Number.isInteger(prefix) || prefix < 0 || prefix > 128)
    throw new Error(`invalid CIDR ${cidr}`);
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  const hostBits = BigInt(128 - prefix);
  value = ((value >> hostBits) << hostBits) + BigInt(offset);
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return formatIp(v4 ? out.subarray(12) : out);
}
