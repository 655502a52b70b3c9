import { createHash, X509Certificate } from "node:crypto";
import { children, DerError, decodeOid, integerHex, readTlv, TAG, whole } from "./der.js";
import { decodeExtensions, type Sans } from "./extensions.js";
import { parseIp, sameIp } from "./ip.js";
import { describePublicKey, type PublicKeyInfo } from "./keys.js";
import { type DistinguishedName, decodeName } from "./name.js";
import { SIGNATURE_ALGORITHMS } from "./oids.js";

export interface CertificateInfo {
  subject: DistinguishedName;
  issuer: DistinguishedName;
  /** Lowercase hex of the serial's magnitude, as `openssl x509 -serial` prints it (lowercased). */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** Lowercase hex, no separators. */
  sha256Fingerprint: string;
  /** Go's names: "SHA256-RSA", "ECDSA-SHA256", "Ed25519"; the OID when unknown. */
  signatureAlgorithm: string;
  sans: Sans;
  keyUsages: string[];
  extKeyUsages: string[];
  isCA: boolean;
  pathLen: number | undefined;
  subjectKeyId: string | undefined;
  authorityKeyId: string | undefined;
  publicKey: PublicKeyInfo;
  /** Issuer and subject are the same name and the signature verifies with the certificate's own key. */
  selfSigned: boolean;
  pem: string;
}

/** Describes one DER certificate. Throws (without echoing input) when it is not a valid certificate. */
export function describeCertificate(input: Uint8Array | X509Certificate): CertificateInfo {
  const node = input instanceof X509Certificate ? input : new X509Certificate(checkStructure(input));
  const der = node.raw;
  const { fields, serial, signature, issuer, subject } = tbsFields(der);
  const extensionsWrapper = fields.find((field) => field.tag === 0xa3);
  const extensions = decodeExtensions(
    der,
    extensionsWrapper && readTlv(der, extensionsWrapper.start, extensionsWrapper.end),
  );
  const signatureOid = decodeOid(der, readTlv(der, signature.start, signature.end));
  const sameName = Buffer.compare(whole(der, issuer), whole(der, subject)) === 0;

  const info: CertificateInfo = {
    subject: decodeName(der, subject),
    issuer: decodeName(der, issuer),
    serial: integerHex(der, serial),
    notBefore: node.validFromDate,
    notAfter: node.validToDate,
    sha256Fingerprint: createHash("sha256").update(der).digest("hex"),
    signatureAlgorithm: SIGNATURE_ALGORITHMS.get(signatureOid)?.name ?? signatureOid,
    sans: extensions.sans,
    keyUsages: extensions.keyUsages,
    extKeyUsages: extensions.extKeyUsages,
    isCA: extensions.isCA,
    pathLen: extensions.pathLen,
    subjectKeyId: extensions.subjectKeyId,
    authorityKeyId: extensions.authorityKeyId,
    publicKey: describePublicKey(node.publicKey),
    selfSigned: sameName && verifiesWith(node, node),
    pem: node.toString(),
  };
  return info;
}

function tbsFields(der: Uint8Array) {
  const tbs = children(der, readTlv(der, 0))[0];
  if (!tbs) throw new DerError("certificate: no tbsCertificate");
  const fields = children(der, tbs);
  const [serial, signature, issuer, , subject] = fields.slice(fields[0]?.tag === 0xa0 ? 1 : 0);
  if (!serial || !signature || !issuer || !subject) throw new DerError("certificate: missing fields");
  return { fields, serial, signature, issuer, subject };
}

/** The DER of a certificate's subject name, byte for byte. */
export function subjectDer(certificate: X509Certificate): Uint8Array {
  const der = certificate.raw;
  return whole(der, tbsFields(der).subject);
}

/** Walks the outer structure first: cheaper than letting OpenSSL reject garbage, and its errors say where. */
function checkStructure(der: Uint8Array): Uint8Array {
  const certificate = readTlv(der, 0);
  if (certificate.tag !== TAG.sequence || certificate.end !== der.length) {
    throw new DerError("not a DER certificate (outer SEQUENCE)");
  }
  const parts = children(der, certificate);
  if (parts.length !== 3 || parts[0]?.tag !== TAG.sequence) throw new DerError("not a DER certificate");
  return der;
}

/**
 * Parsed again when needed rather than kept: each X509Certificate holds OpenSSL memory outside the
 * JS heap, and a scan of 10,000 secrets keeps tens of thousands of CertificateInfo alive.
 */
function nodeCertificate(info: CertificateInfo): X509Certificate {
  return new X509Certificate(info.pem);
}

function verifiesWith(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/**
 * Whether `parent` issued `child`: names and key identifiers agree (OpenSSL's issuer check) and
 * the signature verifies with the parent's key.
 */
export function verifyIssuedBy(child: CertificateInfo, parent: CertificateInfo): boolean {
  const c = nodeCertificate(child);
  const p = nodeCertificate(parent);
  return c.checkIssued(p) && verifiesWith(c, p);
}

/**
 * Whether a TLS client that connects to `hostOrIp` accepts this certificate's names, by Go's rules:
 * an IP only matches an IP SAN (any spelling of the same address), a host name only a DNS SAN,
 * case-insensitively, with `*` standing for exactly one whole left-most label. The CN is ignored.
 */
export function coversAddress(cert: Pick<CertificateInfo, "sans">, hostOrIp: string): boolean {
  const ip = parseIp(hostOrIp);
  if (ip) {
    return cert.sans.ip.some((san) => {
      const sanIp = parseIp(san);
      return sanIp !== undefined && sameIp(sanIp, ip);
    });
  }
  const host = hostOrIp.toLowerCase().replace(/\.$/, "").split(".");
  return cert.sans.dns.some((san) => {
    const pattern = san.toLowerCase().split(".");
    return (
      pattern.length === host.length &&
      pattern.every((label, i) => label === host[i] || (i === 0 && label === "*" && host[0] !== ""))
    );
  });
}

/** Milliseconds from `now` until the certificate expires; negative once it has. */
export function residual(cert: Pick<CertificateInfo, "notAfter">, now: Date = new Date()): number {
  return cert.notAfter.getTime() - now.getTime();
}
