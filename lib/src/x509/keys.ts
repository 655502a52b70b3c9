import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";

export interface PublicKeyInfo {
  type: "RSA" | "RSA-PSS" | "ECDSA" | "Ed25519" | "Ed448" | "DSA" | string;
  bits?: number;
  /** NIST name where there is one ("P-256"), else OpenSSL's. */
  curve?: string;
}

const CURVES: Record<string, { curve: string; bits: number }> = {
  prime256v1: { curve: "P-256", bits: 256 },
  secp384r1: { curve: "P-384", bits: 384 },
  secp521r1: { curve: "P-521", bits: 521 },
};

export function describePublicKey(key: KeyObject): PublicKeyInfo {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { type: "RSA", bits: details.modulusLength };
    case "rsa-pss":
      return { type: "RSA-PSS", bits: details.modulusLength };
    case "dsa":
      return { type: "DSA", bits: details.modulusLength };
    case "ec": {
      const named = details.namedCurve ?? "unknown";
      return { type: "ECDSA", ...(CURVES[named] ?? { curve: named }) };
    }
    case "ed25519":
      return { type: "Ed25519" };
    case "ed448":
      return { type: "Ed448" };
    default:
      return { type: key.asymmetricKeyType ?? "unknown" };
  }
}

/**
 * Whether the private key in `keyPem` is the one for the certificate (PEM or parsed), by comparing
 * public keys. Unparseable input (either side) is `false`; nothing about the key is ever returned
 * or thrown.
 */
export function privateKeyMatchesCertificate(
  keyPem: string | Buffer,
  cert: string | X509Certificate,
): boolean {
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem));
    return fromKey.equals((typeof cert === "string" ? new X509Certificate(cert) : cert).publicKey);
  } catch {
    return false;
  }
}
