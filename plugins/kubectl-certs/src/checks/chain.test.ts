import { beforeAll, describe, expect, it } from "vitest";
import { type Issued, issue } from "../testing.js";
import { checkBundles, checkCsrRequest } from "./chain.js";

describe("checkBundles", () => {
  let root: Issued;
  let intermediate: Issued;
  let leaf: Issued;
  beforeAll(async () => {
    root = await issue({ cn: "root", ca: true, to: 3650 });
    intermediate = await issue({ cn: "intermediate", ca: true, signer: root, to: 1000 });
    leaf = await issue({ cn: "web.example.com", sans: { dns: ["web.example.com"] }, signer: intermediate });
  });

  const holder = { kind: "Secret", namespace: "ns", name: "web" };

  it("accepts a complete chain that ends at the given CA, with its own key", () => {
    const bundle = {
      source: "secrets" as const,
      holder,
      location: "secret/ns/web",
      chain: [leaf.info, intermediate.info],
      trust: [root.info],
      keyMatches: true,
    };
    expect(checkBundles([bundle])).toEqual([]);
  });

  it("CHAIN_INCOMPLETE when the intermediate is left out, KEY_MISMATCH when the key is another", () => {
    const findings = checkBundles([
      {
        source: "secrets",
        holder,
        location: "secret/ns/web",
        chain: [leaf.info],
        trust: [root.info],
        keyMatches: false,
      },
    ]);
    expect(findings.map((f) => [f.code, f.severity])).toEqual([
      ["KEY_MISMATCH", "critical"],
      ["CHAIN_INCOMPLETE", "critical"],
    ]);
    expect(findings[1]?.message).toContain("CN=intermediate");
  });

  it("CHAIN_WRONG_ORDER when the issuer comes first", () => {
    const findings = checkBundles([
      { source: "secrets", holder, location: "secret/ns/web", chain: [intermediate.info, leaf.info] },
    ]);
    expect(findings.map((f) => f.code)).toEqual(["CHAIN_WRONG_ORDER"]);
    expect(findings[0]?.evidence?.chain).toEqual(["CN=web.example.com", "CN=intermediate"]);
  });
});

describe("checkBundles, findings in full", () => {
  let root: Issued;
  let leaf: Issued;
  beforeAll(async () => {
    root = await issue({ cn: "root", ca: true, to: 3650 });
    leaf = await issue({ cn: "web.example.com", sans: { dns: ["web.example.com"] }, signer: root });
  });
  const holder = { kind: "Secret", namespace: "ns", name: "web" };

  it("maps each chain problem to its code, severity and next step, with the ordered chain as evidence", () => {
    const codes = [
      "missing-intermediate",
      "ca-mismatch",
      "wrong-order",
      "unrelated-certificate",
      "issuer-expires-before-leaf",
    ] as const;
    const findings = checkBundles([
      {
        source: "webhooks",
        holder,
        location: "secret/ns/web",
        chain: [leaf.info],
        lint: {
          ordered: [leaf.info, root.info],
          anchor: root.info,
          problems: codes.map((code) => ({ code, message: `problem ${code}` })),
        },
      },
    ]);
    const base = {
      subject: holder,
      evidence: { source: "webhooks", location: "secret/ns/web", chain: ["CN=web.example.com", "CN=root"] },
    };
    expect(findings).toEqual([
      {
        ...base,
        code: "CHAIN_INCOMPLETE",
        severity: "critical",
        message: "secret/ns/web: problem missing-intermediate",
        next: "append the missing intermediate CA certificate after the leaf",
      },
      {
        ...base,
        code: "CA_MISMATCH",
        severity: "critical",
        message: "secret/ns/web: problem ca-mismatch",
        next: "reissue the certificate from the CA that clients trust, or give clients the CA that signed it",
      },
      {
        ...base,
        code: "CHAIN_WRONG_ORDER",
        severity: "warning",
        message: "secret/ns/web: problem wrong-order",
        next: "store the chain leaf first, each certificate followed by its issuer",
      },
      {
        ...base,
        code: "CHAIN_UNRELATED_CERT",
        severity: "info",
        message: "secret/ns/web: problem unrelated-certificate",
        next: "remove the certificate that is not part of the chain",
      },
      {
        ...base,
        code: "CHAIN_ISSUER_EXPIRES_FIRST",
        severity: "warning",
        message: "secret/ns/web: problem issuer-expires-before-leaf",
        next: "renew the issuing CA before it expires: the leaf stops verifying with it",
      },
    ]);
  });

  it("KEY_MISMATCH in full; a key that matches or was not checked says nothing", () => {
    const bundle = {
      source: "secrets" as const,
      holder,
      location: "secret/ns/web",
      chain: [leaf.info],
      trust: [root.info],
    };
    expect(checkBundles([{ ...bundle, keyMatches: false }])).toEqual([
      {
        subject: holder,
        evidence: { source: "secrets", location: "secret/ns/web" },
        code: "KEY_MISMATCH",
        severity: "critical",
        message: "secret/ns/web: the private key does not belong to CN=web.example.com",
        next: "store the key that was used to request this certificate, or reissue the certificate for this key",
      },
    ]);
    expect(checkBundles([bundle])).toEqual([]);
    expect(checkBundles([{ ...bundle, keyMatches: true }])).toEqual([]);
  });

  it("checks the chain against the bundle's trust, and against nothing without one", async () => {
    const other = await issue({ cn: "other-root", ca: true, to: 3650 });
    const bundle = { source: "secrets" as const, holder, location: "secret/ns/web", chain: [leaf.info] };
    expect(checkBundles([{ ...bundle, trust: [other.info] }]).map((f) => [f.code, f.message])).toEqual([
      [
        "CHAIN_INCOMPLETE",
        "secret/ns/web: issuer CN=root of CN=web.example.com is neither in the chain nor among the given CAs (CN=other-root)",
      ],
    ]);
    expect(checkBundles([bundle])).toEqual([]);
  });
});

describe("checkCsrRequest", () => {
  it("reports a CSR whose request does not parse, and nothing for one that does", () => {
    expect(checkCsrRequest("node-csr-x", "not a PEM certificate request")).toEqual([
      {
        code: "CSR_UNPARSABLE",
        severity: "warning",
        subject: { kind: "CertificateSigningRequest", name: "node-csr-x" },
        message: "spec.request: not a PEM certificate request",
        next: "delete the CSR; the requester files a new one",
      },
    ]);
    expect(checkCsrRequest("node-csr-y", undefined)).toEqual([]);
  });
});
