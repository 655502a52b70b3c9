import { createHash, X509Certificate } from "node:crypto";
import { parseIp, sameIp } from "../net/ip.js";
import { children, DerError, decodeOid, decodeTime, integerHex, readTlv, TAG, whole } from "./der.js";
import { decodeExtensions, type Sans } from "./extensions.js";
import { describePublicKey, type PublicKeyInfo, privateKeyMatchesCertificate } from "./keys.js";
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

/**
 * Describes one DER certificate. Throws (without echoing input) when it is not a valid certificate.
 * The same certificate (by SHA-256) gives the same, shared object: CA certificates repeat in every
 * ca.crt and chain of a cluster, and are parsed and self-verified once. Treat it as read-only.
 */
export function describeCertificate(input: Uint8Array | X509Certificate): CertificateInfo {
  const der = input instanceof X509Certificate ? input.raw : input;
  const fingerprint = createHash("sha256").update(der).digest("hex");
  const known = described.get(fingerprint);
  if (known) return known;
  const node = input instanceof X509Certificate ? input : new X509Certificate(checkStructure(der));
  const { fields, serial, signature, issuer, validity, subject } = tbsFields(der);
  const [notBefore, notAfter] = children(der, validity);
  if (!notBefore || !notAfter) throw new DerError("certificate: validity without two times");
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
    notBefore: decodeTime(der, notBefore),
    notAfter: decodeTime(der, notAfter),
    sha256Fingerprint: fingerprint,
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
  described.set(fingerprint, info);
  justParsed.set(fingerprint, node);
  return info;
}

function tbsFields(der: Uint8Array) {
  const tbs = children(der, readTlv(der, 0))[0];
  if (!tbs) throw new DerError("certificate: no tbsCertificate");
  const fields = children(der, tbs);
  const [serial, signature, issuer, validity, subject] = fields.slice(fields[0]?.tag === 0xa0 ? 1 : 0);
  if (!serial || !signature || !issuer || !validity || !subject)
    throw new DerError("certificate: missing fields");
  return { fields, serial, signature, issuer, validity, subject };
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

// Bounded memos: a Map iterates in insertion order, so re-inserting on each hit and dropping the
// first key is a least-recently-used cache in a few lines.
class Recent<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
  }
}

const described = new Recent<CertificateInfo>(1024);
/**
 * Few X509Certificates are kept: each holds OpenSSL memory outside the JS heap that is freed only
 * when the object is collected, and one that lives long enough to reach V8's old generation keeps
 * it until a full collection. The issuers a scan meets are few and kept; a leaf is kept only
 * while its own chain is checked, right after it was described.
 */
const justParsed = new Recent<X509Certificate>(8);
const issuers = new Recent<X509Certificate>(64);
/** Issuer checks by fingerprint pair: thousands of leaves name the same few CAs. */
const issued = new Recent<boolean>(4096);

function nodeCertificate(info: CertificateInfo, asIssuer = false): X509Certificate {
  const key = info.sha256Fingerprint;
  let node = issuers.get(key) ?? justParsed.get(key);
  if (!node) {
    node = new X509Certificate(info.pem);
    if (!asIssuer) justParsed.set(key, node);
  }
  if (asIssuer) issuers.set(key, node);
  return node;
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
  // Names that differ even loosely, or key identifiers that both carry and that differ, rule the
  // pair out as OpenSSL would, without parsing either certificate again.
  if (looseName(child.issuer.dn) !== looseName(parent.subject.dn)) return false;
  if (child.authorityKeyId && parent.subjectKeyId && child.authorityKeyId !== parent.subjectKeyId)
    return false;
  const key = `${child.sha256Fingerprint}<${parent.sha256Fingerprint}`;
  let result = issued.get(key);
  if (result === undefined) {
    const c = nodeCertificate(child);
    const p = nodeCertificate(parent, true);
    result = c.checkIssued(p) && verifiesWith(c, p);
    issued.set(key, result);
  }
  return result;
}

/**
 * More forgiving than OpenSSL's canonical name comparison (case, white space, escapes): names it
 * treats as the same are the same here too, so only pairs it would reject are ruled out early.
 */
function looseName(dn: string): string {
  return dn.toLowerCase().replace(/[\s\\]+/g, "");
}

/** privateKeyMatchesCertificate for a described certificate, without parsing it again. */
export function privateKeyMatches(keyPem: string | Buffer, cert: CertificateInfo): boolean {
  return privateKeyMatchesCertificate(keyPem, nodeCertificate(cert));
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
