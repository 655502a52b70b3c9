import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CertificateInfo,
  coversAddress,
  describeCertificate,
  privateKeyMatches,
  residual,
  verifyIssuedBy,
} from "./certificate.js";
import { type Scratch, scratch } from "./testdata/openssl.js";

let tmp: Scratch;
let ca: CertificateInfo;
let leaf: CertificateInfo;
let ed: CertificateInfo;
let impostor: CertificateInfo;

const describeFile = (name: string) => describeCertificate(new X509Certificate(tmp.read(name)));

beforeAll(() => {
  tmp = scratch();
  tmp.openssl(
    ...[
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-subj",
      "/CN=test-ca",
    ],
    ...["-days", "3650", "-addext", "basicConstraints=critical,CA:TRUE,pathlen:1"],
    ...["-addext", "keyUsage=critical,digitalSignature,keyCertSign,cRLSign"],
  );
  tmp.openssl(
    ...["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes"],
    ...["-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/O=system:masters/O=team, a/CN=node-1"],
  );
  tmp.write(
    "leaf.ext",
    [
      "subjectAltName=DNS:node-1,DNS:*.apps.example.com,IP:10.0.0.5,IP:2001:db8::5,email:ops@example.com,URI:spiffe://cluster.local/ns/x",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth,clientAuth",
      "basicConstraints=critical,CA:FALSE",
      "authorityKeyIdentifier=keyid",
      "",
    ].join("\n"),
  );
  tmp.openssl(
    ...[
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-set_serial",
      "0x8000000000000001",
    ],
    ...["-days", "30", "-extfile", "leaf.ext", "-out", "leaf.crt"],
  );
  tmp.openssl(
    "req",
    "-x509",
    "-newkey",
    "ed25519",
    "-nodes",
    "-keyout",
    "ed.key",
    "-out",
    "ed.crt",
    "-subj",
    "/CN=ed",
    "-days",
    "1",
  );
  // Same name as the CA, signed by the CA: self-issued, not self-signed.
  tmp.openssl(
    "req",
    "-new",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "imp.key",
    "-out",
    "imp.csr",
    "-subj",
    "/CN=test-ca",
  );
  tmp.openssl(
    "x509",
    "-req",
    "-in",
    "imp.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-days",
    "1",
    "-out",
    "imp.crt",
  );
  ca = describeFile("ca.crt");
  leaf = describeFile("leaf.crt");
  ed = describeFile("ed.crt");
  impostor = describeFile("imp.crt");
});

afterAll(() => tmp.remove());

const opensslField = (file: string, ...flags: string[]) =>
  tmp
    .openssl("x509", "-in", file, "-noout", ...flags)
    .trim()
    .split("=")[1] ?? "";
const opensslKeyId = (file: string, ext: string) =>
  (tmp.openssl("x509", "-in", file, "-noout", "-ext", ext).split("\n")[1] ?? "")
    .trim()
    .replaceAll(":", "")
    .toLowerCase();

describe("describeCertificate", () => {
  it("reads a CA made by openssl", () => {
    expect(ca.subject).toEqual({ dn: "CN=test-ca", cn: "test-ca", o: [] });
    expect(ca.issuer.dn).toBe("CN=test-ca");
    expect(ca.isCA).toBe(true);
    expect(ca.pathLen).toBe(1);
    expect(ca.keyUsages).toEqual(["digital signature", "cert sign", "crl sign"]);
    expect(ca.extKeyUsages).toEqual([]);
    expect(ca.selfSigned).toBe(true);
    expect(ca.publicKey).toEqual({ type: "RSA", bits: 2048 });
    expect(ca.signatureAlgorithm).toBe("SHA256-RSA");
    expect(ca.subjectKeyId).toBe(opensslKeyId("ca.crt", "subjectKeyIdentifier"));
    expect(ca.subjectKeyId).toMatch(/^[0-9a-f]{40}$/);
  });

  it("agrees with openssl on serial, fingerprint and dates", () => {
    for (const [file, info] of [
      ["ca.crt", ca],
      ["leaf.crt", leaf],
      ["ed.crt", ed],
    ] as const) {
      expect(info.serial).toBe(opensslField(file, "-serial").toLowerCase());
      expect(info.sha256Fingerprint).toBe(
        opensslField(file, "-fingerprint", "-sha256").replaceAll(":", "").toLowerCase(),
      );
      expect(info.notAfter).toEqual(new Date(opensslField(file, "-enddate")));
      expect(info.notBefore).toEqual(new Date(opensslField(file, "-startdate")));
    }
  });

  it("drops the DER sign byte of a serial with the high bit set", () => {
    expect(leaf.serial).toBe("8000000000000001");
  });

  it("reads names, SANs, usages and key identifiers of a leaf", () => {
    expect(leaf.subject).toEqual({
      dn: "CN=node-1,O=team\\, a,O=system:masters",
      cn: "node-1",
      o: ["system:masters", "team, a"],
    });
    expect(leaf.issuer).toEqual({ dn: "CN=test-ca", cn: "test-ca", o: [] });
    expect(leaf.sans).toEqual({
      dns: ["node-1", "*.apps.example.com"],
      ip: ["10.0.0.5", "2001:db8::5"],
      email: ["ops@example.com"],
      uri: ["spiffe://cluster.local/ns/x"],
    });
    expect(leaf.keyUsages).toEqual(["digital signature", "key encipherment"]);
    expect(leaf.extKeyUsages).toEqual(["server auth", "client auth"]);
    expect(leaf.isCA).toBe(false);
    expect(leaf.pathLen).toBeUndefined();
    expect(leaf.authorityKeyId).toBe(ca.subjectKeyId);
    expect(leaf.publicKey).toEqual({ type: "ECDSA", curve: "P-384", bits: 384 });
    expect(leaf.selfSigned).toBe(false);
    expect(leaf.pem).toBe(tmp.read("leaf.crt"));
  });

  it("reads Ed25519 certificates", () => {
    expect(ed.publicKey).toEqual({ type: "Ed25519" });
    expect(ed.signatureAlgorithm).toBe("Ed25519");
    expect(ed.selfSigned).toBe(true);
  });

  it("does not call a self-issued certificate signed by another key self-signed", () => {
    expect(impostor.issuer.dn).toBe(impostor.subject.dn);
    expect(impostor.selfSigned).toBe(false);
  });

  it("throws on garbage without echoing it", () => {
    const garbage = Buffer.from("30820010secret-material-here", "latin1");
    expect(() => describeCertificate(garbage)).toThrow();
    try {
      describeCertificate(garbage);
    } catch (error) {
      expect(String(error)).not.toContain("secret");
    }
  });
});

describe("verifyIssuedBy", () => {
  it("accepts the real issuer and rejects others", () => {
    expect(verifyIssuedBy(leaf, ca)).toBe(true);
    expect(verifyIssuedBy(ca, leaf)).toBe(false);
    expect(verifyIssuedBy(impostor, ca)).toBe(true);
    expect(verifyIssuedBy(leaf, impostor)).toBe(false);
    expect(verifyIssuedBy(leaf, ed)).toBe(false);
  });

  it("tells a twin CA (same name, same key identifier, another key) from the issuer, asked in either order", () => {
    const skid = opensslKeyId("ca.crt", "subjectKeyIdentifier");
    tmp.openssl(
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "twin.key", "-out", "twin.crt"],
      ...["-subj", "/CN=test-ca", "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE"],
      ...["-addext", `subjectKeyIdentifier=${skid.match(/../g)?.join(":")}`],
    );
    const twin = describeFile("twin.crt");
    expect(twin.subjectKeyId).toBe(ca.subjectKeyId);
    expect(twin.subject.dn).toBe(ca.subject.dn);
    for (let round = 0; round < 2; round++) {
      expect(verifyIssuedBy(leaf, twin)).toBe(false);
      expect(verifyIssuedBy(leaf, ca)).toBe(true);
    }
  });
});

describe("describeCertificate, repeated", () => {
  it("gives the one shared description for the same certificate, from PEM or DER", () => {
    const pem = tmp.read("ca.crt");
    const again = describeCertificate(new X509Certificate(pem));
    expect(again).toBe(ca);
    expect(describeCertificate(new X509Certificate(pem).raw)).toBe(ca);
    expect(describeCertificate(new X509Certificate(tmp.read("leaf.crt")).raw)).not.toBe(ca);
  });
});

describe("privateKeyMatches", () => {
  it("matches a certificate only with its own private key, and never throws", () => {
    expect(privateKeyMatches(tmp.read("leaf.key"), leaf)).toBe(true);
    expect(privateKeyMatches(Buffer.from(tmp.read("ca.key")), ca)).toBe(true);
    expect(privateKeyMatches(tmp.read("ca.key"), leaf)).toBe(false);
    expect(privateKeyMatches(tmp.read("leaf.key").slice(0, 120), leaf)).toBe(false);
    // A public key is not a private key, even the right one.
    const publicPem = new X509Certificate(tmp.read("leaf.crt")).publicKey.export({
      type: "spki",
      format: "pem",
    });
    expect(privateKeyMatches(String(publicPem), leaf)).toBe(false);
  });
});

describe("coversAddress", () => {
  it.each([
    ["node-1", true],
    ["NODE-1.", true],
    ["node-2", false],
    ["foo.apps.example.com", true],
    ["apps.example.com", false],
    ["a.b.apps.example.com", false],
    ["10.0.0.5", true],
    ["::ffff:10.0.0.5", true],
    ["10.0.0.6", false],
    ["2001:DB8:0:0::5", true],
    ["[2001:db8::5]", true],
    ["2001:db8::6", false],
  ])("%s → %s", (host, expected) => {
    expect(coversAddress(leaf, host)).toBe(expected);
  });

  it("never matches an IP against a DNS SAN (Go: 'doesn't contain any IP SANs')", () => {
    expect(coversAddress({ sans: { dns: ["10.2.1.151"], ip: [], email: [], uri: [] } }, "10.2.1.151")).toBe(
      false,
    );
  });
});

describe("residual", () => {
  it("counts down to notAfter and goes negative after", () => {
    const notAfter = new Date("2030-01-02T00:00:00Z");
    expect(residual({ notAfter }, new Date("2030-01-01T00:00:00Z"))).toBe(86_400_000);
    expect(residual({ notAfter }, new Date("2030-01-03T00:00:00Z"))).toBe(-86_400_000);
  });
});
