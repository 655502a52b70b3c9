// Certificate, key and CSR generation for tests, the test control plane and node stand-ins. The
// certificates are shaped as Go's crypto/x509 makes them for kubeadm and the kubelet.
import {
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  type webcrypto,
  X509Certificate,
} from "node:crypto";
import { describeCertificate, subjectDer } from "./certificate.js";
import type { Sans } from "./extensions.js";
import { EXT_KEY_USAGE_OIDS, type ExtKeyUsageName, KEY_USAGE_NAMES, type KeyUsageName } from "./oids.js";
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  type Extension,
  KeyUsagesExtension,
  Name,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from "./peculiar.js";

export type KeyKind = "rsa-2048" | "rsa-1024" | "ecdsa-p256" | "ecdsa-p384" | "ed25519";

export interface GeneratedKey {
  kind: KeyKind;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** As Go's keyutil writes it: PKCS#1 for RSA, SEC 1 for ECDSA, PKCS#8 for Ed25519. */
  privateKeyPem: string;
  /** PKIX ("PUBLIC KEY"). */
  publicKeyPem: string;
}

export function generateKey(kind: KeyKind): Promise<GeneratedKey> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) => {
      if (error) return reject(error);
      try {
        resolve({
          kind,
          privateKey,
          publicKey,
          privateKeyPem: privateKeyPem(privateKey),
          publicKeyPem: publicKeyPem(publicKey),
        });
      } catch (exportError) {
        reject(exportError);
      }
    };
    switch (kind) {
      case "rsa-2048":
      case "rsa-1024":
        generateKeyPair("rsa", { modulusLength: kind === "rsa-2048" ? 2048 : 1024 }, done);
        break;
      case "ecdsa-p256":
      case "ecdsa-p384":
        generateKeyPair("ec", { namedCurve: kind === "ecdsa-p256" ? "P-256" : "P-384" }, done);
        break;
      case "ed25519":
        generateKeyPair("ed25519", {}, done);
        break;
    }
  });
}

function privateKeyPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === "rsa" ? "pkcs1" : key.asymmetricKeyType === "ec" ? "sec1" : "pkcs8";
  return key.export({ type, format: "pem" }).toString();
}

function publicKeyPem(key: KeyObject): string {
  return publicHalf(key).export({ type: "spki", format: "pem" }).toString();
}

function publicHalf(key: KeyObject): KeyObject {
  return key.type === "public" ? key : createPublicKey(key);
}

export interface CertificateTemplate {
  subject: { cn: string; o?: string[] };
  sans?: Partial<Sans>;
  keyUsages: KeyUsageName[];
  extKeyUsages: ExtKeyUsageName[];
  isCA: boolean;
  pathLen?: number;
  notBefore: Date;
  notAfter: Date;
  /** Hex. Default: random in [1, 2^63), as kubeadm draws it. */
  serial?: string;
  /** The subject's key. A private key is accepted too, and needed when the certificate is self-signed. */
  publicKey: KeyObject;
  /** The issuing CA. Without it the certificate is self-signed. */
  signer?: { certPem: string; key: KeyObject };
}

/**
 * Issues a certificate and returns its PEM. As Go does: key usage and basic constraints critical,
 * a subject key identifier on CAs only (SHA-1 of the public key), an authority key identifier
 * (the signer's subject key identifier) on certificates a CA signs.
 */
export async function createCertificate(template: CertificateTemplate): Promise<string> {
  const { signer } = template;
  if (!signer && template.publicKey.type !== "private") {
    throw new Error("a self-signed certificate needs the subject's private key");
  }
  const subjectKey = publicHalf(template.publicKey);
  const spki = subjectKey.export({ type: "spki", format: "der" });
  const signingKey = signer ? signer.key : template.publicKey;
  const issuer = signer ? new X509Certificate(signer.certPem) : undefined;
  const subject = subjectName(template.subject.cn, template.subject.o);

  const extensions: Extension[] = [];
  if (template.keyUsages.length > 0)
    extensions.push(new KeyUsagesExtension(keyUsageFlags(template.keyUsages), true));
  if (template.extKeyUsages.length > 0) {
    extensions.push(
      new ExtendedKeyUsageExtension(template.extKeyUsages.map((name) => EXT_KEY_USAGE_OIDS[name])),
    );
  }
  extensions.push(new BasicConstraintsExtension(template.isCA, template.pathLen, true));
  if (template.isCA) extensions.push(await SubjectKeyIdentifierExtension.create(spki));
  const authorityKeyId = issuer && describeCertificate(issuer).subjectKeyId;
  if (authorityKeyId) extensions.push(new AuthorityKeyIdentifierExtension(authorityKeyId));
  const san = sanExtension(template.sans);
  if (san) extensions.push(san);

  const signing = webCrypto(signingKey);
  const certificate = await X509CertificateGenerator.create({
    serialNumber: template.serial ?? randomSerial(),
    subject,
    issuer: issuer ? new Name(subjectDer(issuer)) : subject,
    notBefore: template.notBefore,
    notAfter: template.notAfter,
    publicKey: spki,
    signingKey: signing.key,
    signingAlgorithm: signing.algorithm,
    extensions,
  });
  return certificate.toString("pem");
}

export interface CsrTemplate {
  cn: string;
  o?: string[];
  sans?: Partial<Sans>;
  /** The requester's private key. */
  key: KeyObject;
}

/** A PKCS#10 request as Go's x509.CreateCertificateRequest makes it (SANs in an extensionRequest). */
export async function createCsr(template: CsrTemplate): Promise<string> {
  const signing = webCrypto(template.key);
  const publicKey = webCrypto(publicHalf(template.key));
  const san = sanExtension(template.sans);
  const request = await Pkcs10CertificateRequestGenerator.create({
    name: subjectName(template.cn, template.o),
    keys: { privateKey: signing.key, publicKey: publicKey.key },
    signingAlgorithm: signing.algorithm,
    extensions: san ? [san] : [],
  });
  return request.toString("pem");
}

/** Go puts O before CN, all O values in one RDN. */
function subjectName(cn: string, o: string[] = []): Name {
  return new Name(o.length > 0 ? [{ O: o }, { CN: [cn] }] : [{ CN: [cn] }]);
}

function sanExtension(sans: Partial<Sans> = {}): SubjectAlternativeNameExtension | undefined {
  const names = [
    ...(sans.dns ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(sans.email ?? []).map((value) => ({ type: "email" as const, value })),
    ...(sans.ip ?? []).map((value) => ({ type: "ip" as const, value })),
    ...(sans.uri ?? []).map((value) => ({ type: "url" as const, value })),
  ];
  return names.length > 0 ? new SubjectAlternativeNameExtension(names) : undefined;
}

function keyUsageFlags(names: KeyUsageName[]): number {
  return names.reduce((flags, name) => flags | (1 << KEY_USAGE_NAMES.indexOf(name)), 0);
}

function randomSerial(): string {
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0] as number) & 0x7f;
  if (bytes.every((b) => b === 0)) bytes[7] = 1;
  return bytes.toString("hex");
}

const EC_CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: "P-256", hash: "SHA-256" },
  secp384r1: { namedCurve: "P-384", hash: "SHA-384" },
  secp521r1: { namedCurve: "P-521", hash: "SHA-512" },
};

/** The WebCrypto key and signature algorithm Go would use for this key: PKCS#1 v1.5 for RSA, ECDSA with the curve's hash, Ed25519. */
function webCrypto(key: KeyObject): {
  key: webcrypto.CryptoKey;
  algorithm: webcrypto.Algorithm & { hash?: string };
} {
  const usages: webcrypto.KeyUsage[] = key.type === "private" ? ["sign"] : ["verify"];
  switch (key.asymmetricKeyType) {
    case "rsa": {
      const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
      return { key: key.toCryptoKey(algorithm, true, usages), algorithm };
    }
    case "ec": {
      const curve = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ""];
      if (!curve) throw new Error(`unsupported EC curve ${key.asymmetricKeyDetails?.namedCurve}`);
      return {
        key: key.toCryptoKey({ name: "ECDSA", namedCurve: curve.namedCurve }, true, usages),
        algorithm: { name: "ECDSA", hash: curve.hash },
      };
    }
    case "ed25519": {
      const algorithm = { name: "Ed25519" };
      return { key: key.toCryptoKey(algorithm, true, usages), algorithm };
    }
    default:
      throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
  }
}
