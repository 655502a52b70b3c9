import { beforeAll, describe, expect, it } from "vitest";
import { type Issued, issue } from "../testing.js";
import { checkBundles } from "./chain.js";

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
