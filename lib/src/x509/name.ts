import { children, DerError, decodeOid, decodeString, TAG, type Tlv } from "./der.js";
import { NAME_ATTRIBUTES } from "./oids.js";

export interface DistinguishedName {
  /** RFC 4514 form, most specific first, as Go's pkix.Name prints it: "CN=kubernetes-admin,O=kubeadm:cluster-admins". */
  dn: string;
  cn: string | undefined;
  /** Every O value, in certificate order (Kubernetes reads them as groups). */
  o: string[];
}

export function decodeName(bytes: Uint8Array, name: Tlv): DistinguishedName {
  if (name.tag !== TAG.sequence) throw new DerError("name: not a SEQUENCE");
  const rdns: string[] = [];
  let cn: string | undefined;
  const o: string[] = [];
  for (const rdn of children(bytes, name)) {
    const parts: string[] = [];
    for (const attribute of children(bytes, rdn)) {
      const [type, value] = children(bytes, attribute);
      if (!type || !value) throw new DerError("name: bad attribute");
      const oid = decodeOid(bytes, type);
      const text = decodeString(bytes, value);
      const short = NAME_ATTRIBUTES.get(oid) ?? oid;
      if (short === "CN" && cn === undefined) cn = text;
      if (short === "O") o.push(text);
      parts.push(`${short}=${escapeValue(text)}`);
    }
    rdns.push(parts.join("+"));
  }
  return { dn: rdns.reverse().join(","), cn, o };
}

function escapeValue(value: string): string {
  return value
    .replace(/[\\,+"<>;]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, "\\ ");
}
