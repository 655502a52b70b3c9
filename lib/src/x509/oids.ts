// Names follow Kubernetes' certificates API (KeyUsage values in certificates.k8s.io/v1).

/** Key usage names in BIT STRING order (bit 0 = digitalSignature). */
export const KEY_USAGE_NAMES = [
  "digital signature",
  "content commitment",
  "key encipherment",
  "data encipherment",
  "key agreement",
  "cert sign",
  "crl sign",
  "encipher only",
  "decipher only",
] as const;
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

export const EXT_KEY_USAGE_OIDS = {
  any: "2.5.29.37.0",
  "server auth": "1.3.6.1.5.5.7.3.1",
  "client auth": "1.3.6.1.5.5.7.3.2",
  "code signing": "1.3.6.1.5.5.7.3.3",
  "email protection": "1.3.6.1.5.5.7.3.4",
  "ipsec end system": "1.3.6.1.5.5.7.3.5",
  "ipsec tunnel": "1.3.6.1.5.5.7.3.6",
  "ipsec user": "1.3.6.1.5.5.7.3.7",
  timestamping: "1.3.6.1.5.5.7.3.8",
  "ocsp signing": "1.3.6.1.5.5.7.3.9",
  "microsoft sgc": "1.3.6.1.4.1.311.10.3.3",
  "netscape sgc": "2.16.840.1.113730.4.1",
} as const;
export type ExtKeyUsageName = keyof typeof EXT_KEY_USAGE_OIDS;

const EXT_KEY_USAGE_BY_OID = new Map<string, string>(
  Object.entries(EXT_KEY_USAGE_OIDS).map(([name, oid]) => [oid, name]),
);

/** The Kubernetes name of an extended key usage, or its OID when it has none. */
export function extKeyUsageName(oid: string): string {
  return EXT_KEY_USAGE_BY_OID.get(oid) ?? oid;
}

export const EXTENSION = {
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  nameConstraints: "2.5.29.30",
  crlDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
} as const;

const EXTENSION_BY_OID = new Map<string, string>(Object.entries(EXTENSION).map(([name, oid]) => [oid, name]));

export function extensionName(oid: string): string | undefined {
  return EXTENSION_BY_OID.get(oid);
}

/** Short names of distinguished-name attributes, as RFC 4514 and Go's pkix.Name print them. */
export const NAME_ATTRIBUTES = new Map<string, string>([
  ["2.5.4.3", "CN"],
  ["2.5.4.5", "SERIALNUMBER"],
  ["2.5.4.6", "C"],
  ["2.5.4.7", "L"],
  ["2.5.4.8", "ST"],
  ["2.5.4.9", "STREET"],
  ["2.5.4.10", "O"],
  ["2.5.4.11", "OU"],
  ["2.5.4.17", "POSTALCODE"],
  ["0.9.2342.19200300.100.1.1", "UID"],
  ["0.9.2342.19200300.100.1.25", "DC"],
  ["1.2.840.113549.1.9.1", "emailAddress"],
]);

/** Signature algorithms, with the digest node:crypto needs to verify them (null: none, EdDSA). */
export const SIGNATURE_ALGORITHMS = new Map<string, { name: string; digest: string | null }>([
  ["1.2.840.113549.1.1.5", { name: "SHA1-RSA", digest: "sha1" }],
  ["1.2.840.113549.1.1.11", { name: "SHA256-RSA", digest: "sha256" }],
  ["1.2.840.113549.1.1.12", { name: "SHA384-RSA", digest: "sha384" }],
  ["1.2.840.113549.1.1.13", { name: "SHA512-RSA", digest: "sha512" }],
  ["1.2.840.10045.4.1", { name: "ECDSA-SHA1", digest: "sha1" }],
  ["1.2.840.10045.4.3.2", { name: "ECDSA-SHA256", digest: "sha256" }],
  ["1.2.840.10045.4.3.3", { name: "ECDSA-SHA384", digest: "sha384" }],
  ["1.2.840.10045.4.3.4", { name: "ECDSA-SHA512", digest: "sha512" }],
  ["1.3.101.112", { name: "Ed25519", digest: null }],
]);

export const ATTRIBUTE_EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
