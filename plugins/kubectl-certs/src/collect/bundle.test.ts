import { beforeAll, describe, expect, it } from "vitest";
import { type Issued, issue } from "../testing.js";
import { certsFromBundle } from "./bundle.js";

const origin = {
  source: "secrets" as const,
  location: "secret/ns/web[tls.crt]",
  holder: { kind: "Secret", name: "web" },
  role: "leaf" as const,
};

describe("certsFromBundle", () => {
  let leaf: Issued;
  let ca: Issued;
  beforeAll(async () => {
    ca = await issue({ cn: "root", ca: true });
    leaf = await issue({ cn: "web", signer: ca });
  });

  it("numbers the certificates of a bundle and keeps the first as the leaf", () => {
    const found = certsFromBundle(`${leaf.pem}\n${ca.pem}\n`, origin);
    expect(found.map((f) => [f.location, f.role, f.cert?.subject.dn])).toEqual([
      ["secret/ns/web[tls.crt]#0", "leaf", "CN=web"],
      ["secret/ns/web[tls.crt]#1", "chain", "CN=root"],
    ]);
  });

  it("turns a bad block into an unparsable entry and keeps the good ones", () => {
    const bad = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n";
    const found = certsFromBundle(`${leaf.pem}\n${bad}`, origin);
    expect(found.map((f) => [f.location, f.cert?.subject.dn, f.problem])).toEqual([
      ["secret/ns/web[tls.crt]", "CN=web", undefined],
      ["secret/ns/web[tls.crt] (block 1)", undefined, "not a valid X.509 certificate: truncated DER"],
    ]);
  });

  it("treats a certificate whose validity node:crypto cannot read as unparsable (found by the fuzz test)", () => {
    const der = Buffer.from(leaf.pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    // The first UTCTime (tag 0x17, 13 bytes): make its month "13".
    const at = der.indexOf(Buffer.from([0x17, 0x0d]));
    der[at + 4] = 0x31;
    der[at + 5] = 0x33;
    const found = certsFromBundle(der, origin);
    expect(found.map((f) => f.problem ?? f.cert?.notBefore.toISOString())).toEqual([
      "the validity dates cannot be read",
    ]);
  });

  it("names the block of each problem by its position in the input, however many there are", () => {
    const der = Buffer.from(leaf.pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    const at = der.indexOf(Buffer.from([0x17, 0x0d]));
    der[at + 4] = 0x31;
    der[at + 5] = 0x33;
    const undated = `-----BEGIN CERTIFICATE-----\n${der.toString("base64")}\n-----END CERTIFICATE-----\n`;
    const bad = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n";
    // Blocks: 0 good, 1 unreadable dates, 2 not a certificate, 3 good, 4 unreadable dates.
    const found = certsFromBundle(`${leaf.pem}${undated}${bad}${ca.pem}${undated}`, origin);
    expect(found.map((f) => [f.location, f.problem ?? f.cert?.subject.dn])).toEqual([
      ["secret/ns/web[tls.crt]#0", "CN=web"],
      ["secret/ns/web[tls.crt]#1", "CN=root"],
      ["secret/ns/web[tls.crt] (block 1)", "the validity dates cannot be read"],
      ["secret/ns/web[tls.crt] (block 2)", "not a valid X.509 certificate: truncated DER"],
      ["secret/ns/web[tls.crt] (block 4)", "the validity dates cannot be read"],
    ]);
  });
});
