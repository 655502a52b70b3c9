import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { looksLikeDer, looksLikePem, parseCertificateBundle } from "./pem.js";
import { type Scratch, scratch } from "./testdata/openssl.js";

let tmp: Scratch;
let rootPem: string;
let leafPem: string;
let keyPem: string;

beforeAll(() => {
  tmp = scratch();
  tmp.openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "root.key",
    "-out",
    "root.crt",
    "-subj",
    "/CN=root",
    "-days",
    "2",
  );
  tmp.openssl(
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    "leaf.key",
    "-out",
    "leaf.csr",
    "-subj",
    "/CN=leaf",
  );
  tmp.openssl(
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "root.crt",
    "-CAkey",
    "root.key",
    "-days",
    "1",
    "-out",
    "leaf.crt",
  );
  tmp.openssl("x509", "-in", "leaf.crt", "-outform", "DER", "-out", "leaf.der");
  tmp.openssl("x509", "-in", "root.crt", "-outform", "DER", "-out", "root.der");
  rootPem = tmp.read("root.crt");
  leafPem = tmp.read("leaf.crt");
  keyPem = tmp.read("leaf.key");
});

afterAll(() => tmp.remove());

const names = (input: string | Uint8Array) =>
  parseCertificateBundle(input).certificates.map((c) => c.subject.cn);

describe("parseCertificateBundle", () => {
  it("reads every certificate of a PEM bundle, in order, skipping text between blocks", () => {
    const text = `subject=CN = leaf\nissuer=CN = root\n${leafPem}\nsome notes\n${rootPem}trailing`;
    expect(parseCertificateBundle(text)).toMatchObject({ problems: [] });
    expect(names(text)).toEqual(["leaf", "root"]);
  });

  it("reads CRLF files and bytes", () => {
    const crlf = `${leafPem}${rootPem}`.replaceAll("\n", "\r\n");
    expect(names(crlf)).toEqual(["leaf", "root"]);
    expect(names(Buffer.from(crlf))).toEqual(["leaf", "root"]);
  });

  it("skips other block types silently and never echoes them", () => {
    const bundle = parseCertificateBundle(`${keyPem}${leafPem}`);
    expect(bundle.certificates.map((c) => c.subject.cn)).toEqual(["leaf"]);
    expect(bundle.problems).toEqual([]);
  });

  it("reports a malformed certificate block by index and keeps going", () => {
    const broken = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
    const notBase64 = "-----BEGIN CERTIFICATE-----\n***\n-----END CERTIFICATE-----\n";
    const bundle = parseCertificateBundle(`${leafPem}${broken}${notBase64}${rootPem}`);
    expect(bundle.certificates.map((c) => c.subject.cn)).toEqual(["leaf", "root"]);
    expect(bundle.problems).toEqual([
      { index: 1, message: expect.stringMatching(/^not a valid X\.509 certificate/) },
      { index: 2, message: 'PEM block "CERTIFICATE" is not valid base64' },
    ]);
  });

  it("reports a block without END, including a key's, without its content", () => {
    const truncatedKey = keyPem.slice(0, keyPem.indexOf("-----END"));
    const bundle = parseCertificateBundle(`${truncatedKey}${leafPem}`);
    expect(bundle.certificates.map((c) => c.subject.cn)).toEqual(["leaf"]);
    expect(bundle.problems).toEqual([{ index: 0, message: 'PEM block "PRIVATE KEY" has no END line' }]);
    const keyBody = keyPem.split("\n")[1] as string;
    expect(JSON.stringify(bundle.problems)).not.toContain(keyBody.slice(0, 20));
  });

  it("reads DER, one certificate or several concatenated", () => {
    const leafDer = tmp.readBytes("leaf.der");
    const rootDer = tmp.readBytes("root.der");
    expect(names(leafDer)).toEqual(["leaf"]);
    expect(names(Buffer.concat([leafDer, rootDer]))).toEqual(["leaf", "root"]);
    expect(parseCertificateBundle(leafDer).certificates[0]?.pem).toBe(leafPem);
  });

  it("never throws on garbage", () => {
    for (const garbage of [
      "",
      "hello",
      "-----BEGIN ",
      "-----BEGIN CERTIFICATE-----",
      Uint8Array.of(0x30, 0x82, 0xff),
    ]) {
      const bundle = parseCertificateBundle(garbage);
      expect(bundle.certificates).toEqual([]);
      expect(bundle.problems.length).toBe(1);
    }
  });
});

describe("sniffers", () => {
  it("tells PEM, DER and neither apart", () => {
    const der = tmp.readBytes("leaf.der");
    expect(looksLikePem(leafPem)).toBe(true);
    expect(looksLikePem(Buffer.from(leafPem))).toBe(true);
    expect(looksLikePem(der)).toBe(false);
    expect(looksLikeDer(der)).toBe(true);
    expect(looksLikeDer(Buffer.from(leafPem))).toBe(false);
    expect(looksLikeDer(der.subarray(0, der.length - 1))).toBe(false);
    expect(looksLikeDer(Buffer.from("0\u0003abc", "latin1"))).toBe(false);
  });
});
