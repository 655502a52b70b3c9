import { createPublicKey, verify } from "node:crypto";
import {
  bitStringBytes,
  children,
  DerError,
  decodeOid,
  expectTag,
  readTlv,
  TAG,
  type Tlv,
  whole,
} from "./der.js";
import { decodeExtensions, type ExtensionSummary, type Sans } from "./extensions.js";
import { describePublicKey, type PublicKeyInfo } from "./keys.js";
import { type DistinguishedName, decodeName } from "./name.js";
import { ATTRIBUTE_EXTENSION_REQUEST, SIGNATURE_ALGORITHMS } from "./oids.js";
import { looksLikePem, pemBlocks } from "./pem.js";

export interface CsrInfo {
  subject: DistinguishedName;
  sans: Sans;
  publicKey: PublicKeyInfo;
  /** Go's names ("SHA256-RSA", "ECDSA-SHA256", "Ed25519"); the OID when unknown (then never valid). */
  signatureAlgorithm: string;
  /** The request is signed by the private key of the public key it carries. */
  signatureValid: boolean;
  /** Extensions asked for in the extensionRequest attribute. */
  extensions: ExtensionSummary[];
  keyUsages: string[];
  extKeyUsages: string[];
  isCA: boolean;
}

export type CsrParseResult = { ok: true; csr: CsrInfo } | { ok: false; error: string };

const CSR_LABELS = new Set(["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]);

/** Parses a PKCS#10 request, PEM or DER. Never throws. */
export function parseCsr(input: string | Uint8Array): CsrParseResult {
  let der: Uint8Array | undefined;
  if (looksLikePem(input)) {
    const text = typeof input === "string" ? input : Buffer.from(input).toString("latin1");
    for (const block of pemBlocks(text, CSR_LABELS)) {
      if ("problem" in block) return { ok: false, error: block.problem };
      der = block.der;
      break;
    }
    if (!der) return { ok: false, error: "no CERTIFICATE REQUEST block found" };
  } else if (typeof input === "string") {
    return { ok: false, error: "not a PEM certificate request" };
  } else {
    der = input;
  }
  try {
    return { ok: true, csr: decodeCsr(der) };
  } catch (error) {
    const reason = error instanceof Error && error.name === "DerError" ? `: ${error.message}` : "";
    return { ok: false, error: `not a valid PKCS#10 certificate request${reason}` };
  }
}

function decodeCsr(der: Uint8Array): CsrInfo {
  const outer = expectTag(readTlv(der, 0), TAG.sequence, "request");
  const [info, algorithm, signature] = children(der, outer);
  if (!info || !algorithm || !signature) throw new DerError("request: missing fields");
  const [version, subject, spki, attributes] = children(der, expectTag(info, TAG.sequence, "request info"));
  if (!version || !subject || !spki) throw new DerError("request info: missing fields");
  const algorithmOid = decodeOid(der, readTlv(der, algorithm.start, algorithm.end));
  const publicKey = createPublicKey({ key: Buffer.from(whole(der, spki)), format: "der", type: "spki" });
  const extensions = decodeExtensions(der, attributes && extensionRequest(der, attributes));
  const known = SIGNATURE_ALGORITHMS.get(algorithmOid);
  let signatureValid = false;
  if (known) {
    try {
      const sig = bitStringBytes(der, expectTag(signature, TAG.bitString, "signature"));
      signatureValid = verify(known.digest, whole(der, info), publicKey, sig);
    } catch {
      signatureValid = false;
    }
  }
  return {
    subject: decodeName(der, subject),
    sans: extensions.sans,
    publicKey: describePublicKey(publicKey),
    signatureAlgorithm: known?.name ?? algorithmOid,
    signatureValid,
    extensions: extensions.list,
    keyUsages: extensions.keyUsages,
    extKeyUsages: extensions.extKeyUsages,
    isCA: extensions.isCA,
  };
}

/** The Extensions SEQUENCE inside the [0] attributes' extensionRequest, if the request has one. */
function extensionRequest(der: Uint8Array, attributes: Tlv): Tlv | undefined {
  for (const attribute of children(der, attributes)) {
    const [type, values] = children(der, attribute);
    if (type && values && decodeOid(der, type) === ATTRIBUTE_EXTENSION_REQUEST) {
      return children(der, values)[0];
    }
  }
  return undefined;
}
