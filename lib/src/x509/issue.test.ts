import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeCertificate } from "./certificate.js";
import { createCertificate, createCsr, type GeneratedKey, generateKey, type KeyKind } from "./issue.js";
import { describePublicKey } from "./keys.js";
import { type Scratch, scratch } from "./testdata/openssl.js";

let tmp: Scratch;
let caKey: GeneratedKey;
let caPem: string;
const now = new Date("2026-03-01T12:00:00Z");
const inAYear = new Date("2027-03-01T12:00:00Z");

beforeAll(async () => {
  tmp = scratch();
  caKey = await generateKey("rsa-2048");
  caPem = await createCertificate({
    subject: { cn: "kubernetes" },
    sans: { dns: ["kubernetes"] },
    keyUsages: ["digital signature", "key encipherment", "cert sign"],
    extKeyUsages: [],
    isCA: true,
    notBefore: now,
    notAfter: new Date("2036-02-27T12:00:00Z"),
    publicKey: caKey.privateKey,
  });
  tmp.write("ca.crt", caPem);
  tmp.write("ca.key", caKey.privateKeyPem);
});

afterAll(() => tmp.remove());

const text = (pem: string) => tmp.openssl("x509", "-in", tmp.write("x.crt", pem), "-noout", "-text");
const verify = (pem: string) => tmp.openssl("verify", "-CAfile", "ca.crt", tmp.write("leaf.crt", pem)).trim();

describe("generateKey", () => {
  it.each([
    ["rsa-2048", { type: "RSA", bits: 2048 }, "RSA PRIVATE KEY"],
    ["rsa-1024", { type: "RSA", bits: 1024 }, "RSA PRIVATE KEY"],
    ["ecdsa-p256", { type: "ECDSA", curve: "P-256", bits: 256 }, "EC PRIVATE KEY"],
    ["ecdsa-p384", { type: "ECDSA", curve: "P-384", bits: 384 }, "EC PRIVATE KEY"],
    ["ed25519", { type: "Ed25519" }, "PRIVATE KEY"],
  ] as const)("%s", async (kind: KeyKind, info, label) => {
    const key = await generateKey(kind);
    expect(describePublicKey(key.publicKey)).toEqual(info);
    expect(key.privateKeyPem.startsWith(`-----BEGIN ${label}-----\n`)).toBe(true);
    expect(key.publicKeyPem.startsWith("-----BEGIN PUBLIC KEY-----\n")).toBe(true);
    const fromOpenssl = tmp.openssl("pkey", "-in", tmp.write("k.pem", key.privateKeyPem), "-pubout");
    expect(fromOpenssl).toBe(key.publicKeyPem);
  });
});

describe("createCertificate", () => {
  it("makes a CA as client-go does: self-signed, SKI by SHA-1 of the key, no AKI", () => {
    const ca = describeCertificate(new X509Certificate(caPem));
    expect(ca).toMatchObject({
      subject: { dn: "CN=kubernetes" },
      issuer: { dn: "CN=kubernetes" },
      isCA: true,
      pathLen: undefined,
      selfSigned: true,
      keyUsages: ["digital signature", "key encipherment", "cert sign"],
      sans: { dns: ["kubernetes"] },
      notBefore: now,
      authorityKeyId: undefined,
      signatureAlgorithm: "SHA256-RSA",
    });
    // openssl's default subjectKeyIdentifier=hash is the same RFC 5280 method 1.
    tmp.openssl(
      "req",
      "-new",
      "-x509",
      "-key",
      "ca.key",
      "-subj",
      "/CN=ref",
      "-days",
      "1",
      "-out",
      "ref.crt",
    );
    const reference = describeCertificate(new X509Certificate(tmp.read("ref.crt")));
    expect(ca.subjectKeyId).toBe(reference.subjectKeyId);
    expect(text(caPem)).toMatch(
      /X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment, Certificate Sign/,
    );
    expect(text(caPem)).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
  });

  it("issues a leaf openssl verifies, with the CA's SKI as AKI and Go's subject order", async () => {
    const key = await generateKey("ecdsa-p256");
    const pem = await createCertificate({
      subject: { cn: "kubernetes-admin", o: ["kubeadm:cluster-admins", "team+ops"] },
      sans: {
        dns: ["cp-1", "localhost"],
        ip: ["10.96.0.1", "::1"],
        email: ["ops@example.com"],
        uri: ["spiffe://x/y"],
      },
      keyUsages: ["digital signature", "key encipherment"],
      extKeyUsages: ["server auth", "client auth"],
      isCA: false,
      notBefore: now,
      notAfter: inAYear,
      serial: "8000000000000001",
      publicKey: key.publicKey,
      signer: { certPem: caPem, key: caKey.privateKey },
    });
    expect(verify(pem)).toMatch(/: OK$/);
    const leaf = describeCertificate(new X509Certificate(pem));
    const ca = describeCertificate(new X509Certificate(caPem));
    expect(leaf).toMatchObject({
      subject: {
        dn: "CN=kubernetes-admin,O=kubeadm:cluster-admins+O=team\\+ops",
        o: ["kubeadm:cluster-admins", "team+ops"],
      },
      issuer: { dn: "CN=kubernetes" },
      serial: "8000000000000001",
      notAfter: inAYear,
      isCA: false,
      subjectKeyId: undefined,
      authorityKeyId: ca.subjectKeyId,
      sans: {
        dns: ["cp-1", "localhost"],
        ip: ["10.96.0.1", "::1"],
        email: ["ops@example.com"],
        uri: ["spiffe://x/y"],
      },
      keyUsages: ["digital signature", "key encipherment"],
      extKeyUsages: ["server auth", "client auth"],
      publicKey: { type: "ECDSA", curve: "P-256" },
      selfSigned: false,
    });
    // One multi-valued O RDN (openssl's RFC 2253 printer reverses the values within an RDN too).
    expect(
      tmp.openssl("x509", "-in", tmp.write("x.crt", pem), "-noout", "-subject", "-nameopt", "RFC2253").trim(),
    ).toBe("subject=CN=kubernetes-admin,O=team\\+ops+O=kubeadm:cluster-admins");
    expect(text(pem)).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
  });

  it.each([
    ["ecdsa-p384", "ECDSA-SHA384"],
    ["ed25519", "Ed25519"],
  ] as const)("signs with a %s CA using %s", async (kind, algorithm) => {
    const key = await generateKey(kind);
    const signerPem = await createCertificate({
      subject: { cn: `ca-${kind}` },
      keyUsages: ["cert sign"],
      extKeyUsages: [],
      isCA: true,
      pathLen: 0,
      notBefore: now,
      notAfter: inAYear,
      publicKey: key.privateKey,
    });
    const leafKey = await generateKey("rsa-2048");
    const pem = await createCertificate({
      subject: { cn: "leaf" },
      keyUsages: ["digital signature"],
      extKeyUsages: ["client auth"],
      isCA: false,
      notBefore: now,
      notAfter: inAYear,
      publicKey: leafKey.publicKey,
      signer: { certPem: signerPem, key: key.privateKey },
    });
    expect(describeCertificate(new X509Certificate(signerPem)).pathLen).toBe(0);
    expect(describeCertificate(new X509Certificate(pem)).signatureAlgorithm).toBe(algorithm);
    tmp.write("signer.crt", signerPem);
    expect(tmp.openssl("verify", "-CAfile", "signer.crt", tmp.write("l.crt", pem)).trim()).toMatch(/: OK$/);
  });

  it("refuses to self-sign with only a public key", async () => {
    const key = await generateKey("ecdsa-p256");
    await expect(
      createCertificate({
        subject: { cn: "x" },
        keyUsages: [],
        extKeyUsages: [],
        isCA: false,
        notBefore: now,
        notAfter: inAYear,
        publicKey: key.publicKey,
      }),
    ).rejects.toThrow("needs the subject's private key");
  });

  it("draws random positive serials", async () => {
    const key = await generateKey("ecdsa-p256");
    const serials = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const pem = await createCertificate({
        subject: { cn: "x" },
        keyUsages: [],
        extKeyUsages: ["client auth"],
        isCA: false,
        notBefore: now,
        notAfter: inAYear,
        publicKey: key.publicKey,
        signer: { certPem: caPem, key: caKey.privateKey },
      });
      const serial = describeCertificate(new X509Certificate(pem)).serial;
      expect(Number.parseInt(serial.slice(0, 1), 16)).toBeLessThan(8);
      serials.add(serial);
    }
    expect(serials.size).toBe(3);
  });
});

describe("createCsr", () => {
  it("makes a request openssl verifies, with SANs in the extension request", async () => {
    const key = await generateKey("ecdsa-p256");
    const pem = await createCsr({
      cn: "system:node:worker-1",
      o: ["system:nodes"],
      sans: { dns: ["worker-1"], ip: ["127.0.0.2"] },
      key: key.privateKey,
    });
    tmp.write("r.csr", pem);
    expect(tmp.openssl("req", "-in", "r.csr", "-noout", "-verify")).toBe("");
    const out = tmp.openssl("req", "-in", "r.csr", "-noout", "-text", "-nameopt", "RFC2253");
    expect(out).toContain("Subject: CN=system:node:worker-1,O=system:nodes");
    expect(out).toMatch(
      /Requested Extensions:\n\s+X509v3 Subject Alternative Name: \n\s+DNS:worker-1, IP Address:127.0.0.2/,
    );
  });
});
