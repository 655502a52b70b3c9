import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsr } from "./csr.js";
import { createCsr, generateKey } from "./issue.js";
import { type Scratch, scratch } from "./testdata/openssl.js";

let tmp: Scratch;

beforeAll(() => {
  tmp = scratch();
  tmp.openssl(
    ...["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-out", "rsa.csr"],
    ...["-subj", "/O=system:nodes/CN=system:node:worker-1"],
    ...["-addext", "subjectAltName=DNS:worker-1,IP:10.2.1.151,IP:fd00::1,email:a@b.c,URI:spiffe://x"],
    ...[
      "-addext",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "-addext",
      "extendedKeyUsage=serverAuth",
    ],
  );
  tmp.openssl("req", "-in", "rsa.csr", "-outform", "DER", "-out", "rsa.der");
  tmp.openssl(
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    "ec.key",
    "-out",
    "ec.csr",
    "-subj",
    "/CN=ec",
  );
  tmp.openssl(
    "req",
    "-new",
    "-newkey",
    "ed25519",
    "-nodes",
    "-keyout",
    "ed.key",
    "-out",
    "ed.csr",
    "-subj",
    "/CN=ed",
  );
});

afterAll(() => tmp.remove());

function parsed(input: string | Uint8Array) {
  const result = parseCsr(input);
  if (!result.ok) throw new Error(result.error);
  return result.csr;
}

describe("parseCsr", () => {
  it("reads an openssl RSA request with SANs and requested usages", () => {
    expect(parsed(tmp.read("rsa.csr"))).toEqual({
      subject: {
        dn: "CN=system:node:worker-1,O=system:nodes",
        cn: "system:node:worker-1",
        o: ["system:nodes"],
      },
      sans: { dns: ["worker-1"], ip: ["10.2.1.151", "fd00::1"], email: ["a@b.c"], uri: ["spiffe://x"] },
      publicKey: { type: "RSA", bits: 2048 },
      signatureAlgorithm: "SHA256-RSA",
      signatureValid: true,
      extensions: [
        { oid: "2.5.29.17", name: "subjectAltName", critical: false },
        { oid: "2.5.29.15", name: "keyUsage", critical: true },
        { oid: "2.5.29.37", name: "extKeyUsage", critical: false },
      ],
      keyUsages: ["digital signature", "key encipherment"],
      extKeyUsages: ["server auth"],
      isCA: false,
    });
  });

  it("reads DER, ECDSA and Ed25519 requests", () => {
    expect(parsed(tmp.readBytes("rsa.der")).subject.cn).toBe("system:node:worker-1");
    expect(parsed(tmp.read("ec.csr"))).toMatchObject({
      publicKey: { type: "ECDSA", curve: "P-256", bits: 256 },
      signatureAlgorithm: "ECDSA-SHA256",
      signatureValid: true,
      sans: { dns: [], ip: [], email: [], uri: [] },
      extensions: [],
    });
    expect(parsed(tmp.read("ed.csr"))).toMatchObject({
      publicKey: { type: "Ed25519" },
      signatureAlgorithm: "Ed25519",
      signatureValid: true,
    });
  });

  it("says when the signature does not verify", () => {
    const der = Buffer.from(tmp.readBytes("rsa.der"));
    const badSignature = Buffer.from(der);
    badSignature[badSignature.length - 1] = (badSignature[badSignature.length - 1] as number) ^ 0xff;
    expect(parsed(badSignature).signatureValid).toBe(false);
    const cnAt = der.indexOf("worker-1");
    const badName = Buffer.from(der);
    badName.write("worker-2", cnAt, "latin1");
    expect(parsed(badName)).toMatchObject({ subject: { cn: "system:node:worker-2" }, signatureValid: false });
  });

  it("reads what createCsr makes, as a kubelet serving request", async () => {
    const key = await generateKey("ecdsa-p256");
    const pem = await createCsr({
      cn: "system:node:worker-1",
      o: ["system:nodes"],
      sans: { dns: ["worker-1"], ip: ["127.0.0.2"] },
      key: key.privateKey,
    });
    expect(parsed(pem)).toMatchObject({
      subject: { cn: "system:node:worker-1", o: ["system:nodes"] },
      sans: { dns: ["worker-1"], ip: ["127.0.0.2"], email: [], uri: [] },
      publicKey: { type: "ECDSA", curve: "P-256" },
      signatureValid: true,
    });
  });

  it.each([
    ["text", "hello"],
    ["a certificate only", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"],
    ["an unterminated block", "-----BEGIN CERTIFICATE REQUEST-----\nMIIB"],
    [
      "bad DER in the block",
      "-----BEGIN CERTIFICATE REQUEST-----\nMAMCAQA=\n-----END CERTIFICATE REQUEST-----\n",
    ],
    ["random bytes", Uint8Array.of(0x30, 0x05, 0x02, 0x01, 0x00, 0x30, 0x00)],
    ["empty bytes", new Uint8Array()],
  ])("returns an error result for %s", (_, input) => {
    const result = parseCsr(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).not.toContain("MAMCAQA");
  });
});
