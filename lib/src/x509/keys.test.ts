import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateKeyMatchesCertificate } from "./keys.js";
import { type Scratch, scratch } from "./testdata/openssl.js";

let tmp: Scratch;

beforeAll(() => {
  tmp = scratch();
  tmp.openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "a.key",
    "-out",
    "a.crt",
    "-subj",
    "/CN=a",
    "-days",
    "1",
  );
  tmp.openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    "b.key",
    "-out",
    "b.crt",
    "-subj",
    "/CN=b",
    "-days",
    "1",
  );
  tmp.openssl("pkey", "-in", "a.key", "-traditional", "-out", "a-pkcs1.key");
});

afterAll(() => tmp.remove());

describe("privateKeyMatchesCertificate", () => {
  it("matches a key with its own certificate, in PKCS#8 or PKCS#1", () => {
    expect(privateKeyMatchesCertificate(tmp.read("a.key"), tmp.read("a.crt"))).toBe(true);
    expect(tmp.read("a-pkcs1.key")).toContain("BEGIN RSA PRIVATE KEY");
    expect(privateKeyMatchesCertificate(tmp.read("a-pkcs1.key"), tmp.read("a.crt"))).toBe(true);
    expect(privateKeyMatchesCertificate(tmp.read("b.key"), tmp.read("b.crt"))).toBe(true);
  });

  it("rejects another key", () => {
    expect(privateKeyMatchesCertificate(tmp.read("b.key"), tmp.read("a.crt"))).toBe(false);
    expect(privateKeyMatchesCertificate(tmp.read("a.key"), tmp.read("b.crt"))).toBe(false);
  });

  it("is false, and quiet, on unparseable input", () => {
    const key = tmp.read("a.key");
    expect(privateKeyMatchesCertificate(key.slice(0, 200), tmp.read("a.crt"))).toBe(false);
    expect(privateKeyMatchesCertificate(key, "not a certificate")).toBe(false);
  });
});
