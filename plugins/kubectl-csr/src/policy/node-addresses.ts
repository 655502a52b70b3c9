import { type Cidr, cidrContains, parseCidr, specialAddress } from "@kubemend/lib/net/cidr";
import { parseIp, sameIp } from "@kubemend/lib/net/ip";
import { requestingNode } from "./requestor.js";
import type { NodeIdentity, Rule, Violation } from "./types.js";

const DNS_ADDRESS_TYPES = new Set(["Hostname", "InternalDNS", "ExternalDNS"]);
const IP_ADDRESS_TYPES = new Set(["InternalIP", "ExternalIP"]);

export function nodeDnsNames(node: NodeIdentity): string[] {
  return [
    node.name,
    ...node.addresses.filter((a) => DNS_ADDRESS_TYPES.has(a.type)).map((a) => a.address),
  ].map((name) => name.toLowerCase());
}

export function nodeIps(node: NodeIdentity): Uint8Array[] {
  return node.addresses
    .filter((a) => IP_ADDRESS_TYPES.has(a.type))
    .map((a) => parseIp(a.address))
    .filter((ip): ip is Uint8Array => ip !== undefined);
}

/**
 * Rule 7: every SAN belongs to the Node the CSR was filed by, and no IP SAN is one a node can never
 * own (unspecified, loopback, link-local, multicast, a Service ClusterIP), whatever the node reports.
 */
export const nodeAddressesRule: Rule = ({ csr, request, node, serviceCidrs }) => {
  const name = requestingNode(csr);
  if (!name) return [];
  if (!node) return [{ rule: "node-addresses", message: `node "${name}" does not exist` }];
  if (!request.ok) return [];
  const violations: Violation[] = [];
  const add = (message: string) => violations.push({ rule: "node-addresses", message });
  const dnsNames = new Set(nodeDnsNames(node));
  for (const dns of request.csr.sans.dns)
    if (!dnsNames.has(dns.toLowerCase())) add(`DNS SAN ${dns} is not a name of node ${node.name}`);
  const owned = nodeIps(node);
  const services = serviceCidrs.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  for (const text of request.csr.sans.ip) {
    const ip = parseIp(text);
    if (!ip) {
      add(`IP SAN ${text} is not an address`);
      continue;
    }
    const special = specialAddress(ip);
    const service = services.find((cidr) => cidrContains(cidr, ip));
    if (special) add(`IP SAN ${text} is ${special}`);
    else if (service) add(`IP SAN ${text} is in the Service CIDR ${service.text}`);
    else if (!owned.some((own) => sameIp(own, ip)))
      add(`IP SAN ${text} is not an address of node ${node.name}`);
  }
  return violations;
};
