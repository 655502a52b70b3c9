import { beforeAll, describe, expect, it } from "vitest";
import { certsFromBundle } from "../collect/bundle.js";
import { type Issued, issue, NOW } from "../testing.js";
import { chainRoles, renderDetails } from "./details.js";

describe("inspect's chain roles", () => {
  let root: Issued;
  let intermediate: Issued;
  let leaf: Issued;
  let stranger: Issued;
  beforeAll(async () => {
    root = await issue({ cn: "root", ca: true });
    intermediate = await issue({ cn: "intermediate", ca: true, signer: root });
    leaf = await issue({ cn: "web", signer: intermediate });
    stranger = await issue({ cn: "stranger", ca: true });
  });
  const origin = (role: "leaf" | "trust") => ({
    source: "pki" as const,
    location: "/tmp/bundle.pem",
    holder: { file: "/tmp/bundle.pem" },
    role,
  });

  it("labels a bundle stored root first by the issuer links, not by position", () => {
    const certs = certsFromBundle(`${root.pem}${stranger.pem}${leaf.pem}${intermediate.pem}`, origin("leaf"));
    const roles = chainRoles(certs);
    expect(certs.map((c) => [c.cert?.subject.cn, roles.get(c)])).toEqual([
      ["root", "root CA"],
      ["stranger", "not in the chain"],
      ["web", "leaf"],
      ["intermediate", "intermediate CA"],
    ]);
    const text = renderDetails(certs, NOW);
    expect(text).toContain("/tmp/bundle.pem#0 (root CA)\n");
    expect(text).toContain("/tmp/bundle.pem#2 (leaf)\n");
  });

  it("a CA bundle holds CAs, not a chain", () => {
    const certs = certsFromBundle(`${root.pem}${intermediate.pem}`, origin("trust"));
    expect(certs.map((c) => chainRoles(certs).get(c))).toEqual(["root CA", "CA"]);
  });
});
