import type { PublicKeyInfo } from "@kubemend/lib/x509/keys";
import type { Rule } from "./types.js";

const CURVES = new Set(["P-256", "P-384"]);

export function describeKey(key: PublicKeyInfo): string {
  if (key.type === "ECDSA") return `ECDSA ${key.curve ?? "?"}`;
  return key.bits ? `${key.type}-${key.bits}` : key.type;
}

/** Rule 8: RSA >= 2048 bits, ECDSA P-256/P-384, or Ed25519. */
export const keyRule: Rule = ({ request }) => {
  if (!request.ok) return [];
  const key = request.csr.publicKey;
  const strong =
    (key.type === "RSA" && (key.bits ?? 0) >= 2048) ||
    (key.type === "ECDSA" && CURVES.has(key.curve ?? "")) ||
    key.type === "Ed25519";
  return strong
    ? []
    : [
        {
          rule: "key",
          message: `key ${describeKey(key)} is not RSA >= 2048, ECDSA P-256/P-384 or Ed25519`,
        },
      ];
};
