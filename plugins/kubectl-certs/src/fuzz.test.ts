import { beforeAll, describe, expect, it } from "vitest";
import { runChecks } from "./checks/index.js";
import { certsFromBundle } from "./collect/bundle.js";
import { type Secret, tlsSecret } from "./collect/secrets.js";
import { type Collected, emptyCollected } from "./model.js";
import { listingRows } from "./report/listing.js";
import { renderPrometheus } from "./report/prometheus.js";
import { type Issued, issue, NOW, thresholds } from "./testing.js";

const CASES = 1200;

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

/** One random damage: flipped bits, cut, inserted or repeated bytes, a changed length byte. */
function mutate(input: Uint8Array, random: () => number): Uint8Array {
  const bytes = Buffer.from(input);
  const at = Math.floor(random() * bytes.length);
  switch (Math.floor(random() * 6)) {
    case 0:
      for (let i = 0; i < 1 + random() * 8; i++) {
        const j = Math.floor(random() * bytes.length);
        bytes[j] = (bytes[j] as number) ^ (1 << Math.floor(random() * 8));
      }
      return bytes;
    case 1:
      return bytes.subarray(0, at);
    case 2:
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + Math.floor(random() * 40))]);
    case 3:
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from([Math.floor(random() * 256)]),
        bytes.subarray(at),
      ]);
    case 4:
      return Buffer.concat([bytes, bytes.subarray(at, at + Math.floor(random() * 200))]);
    default:
      // Length bytes sit right after tags; 0x82 and 0x84 make long-form lengths that overrun.
      bytes[at] = [0x82, 0x84, 0xff, 0x00, 0x30][Math.floor(random() * 5)] as number;
      return bytes;
  }
}

/** Everything a listed certificate goes through after it is found. */
function pipeline(collected: Collected): void {
  const findings = runChecks(collected, thresholds);
  listingRows(collected.certs, collected.bootstrapTokens, findings, thresholds);
  renderPrometheus(collected.certs, NOW);
}

describe("certs under damaged input (fuzz)", () => {
  let der: Buffer;
  let pemBundle: string;
  let leaf: Issued;
  beforeAll(async () => {
    const root = await issue({ cn: "root", ca: true, to: 3650 });
    const intermediate = await issue({ cn: "intermediate", ca: true, signer: root, to: 2000 });
    leaf = await issue({
      cn: "web.example.com",
      o: ["example"],
      sans: { dns: ["web.example.com", "*.example.com"], ip: ["10.0.0.1", "fd00::1"] },
      signer: intermediate,
    });
    der = Buffer.from(leaf.info.pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    pemBundle = `${leaf.pem}\njunk between blocks\r\n${intermediate.pem}\n${root.pem}\n`;
  });

  it(`${CASES} mutated DER certificates and PEM bundles, as files and as TLS secrets: no crash, every value accounted for`, () => {
    const random = rng(0x5eed);
    let parsed = 0;
    let unparsable = 0;
    for (let i = 0; i < CASES; i++) {
      const pem = i % 2 === 1;
      const input = mutate(pem ? Buffer.from(pemBundle, "latin1") : der, random);
      const certs = certsFromBundle(input, {
        source: "pki",
        location: `/fuzz/${i}`,
        holder: { file: `/fuzz/${i}` },
        role: "leaf",
      });
      const secret: Secret = {
        metadata: { name: `s${i}`, namespace: "fuzz" },
        type: "kubernetes.io/tls",
        data: {
          "tls.crt": Buffer.from(input).toString("base64"),
          "ca.crt": Buffer.from(mutate(Buffer.from(pemBundle, "latin1"), random)).toString("base64"),
          "tls.key": Buffer.from(leaf.key.privateKeyPem).toString("base64"),
        },
      };
      const fromSecret = tlsSecret(secret);
      const collected = {
        ...emptyCollected(),
        certs: [...certs, ...fromSecret.certs],
        bundles: fromSecret.bundle ? [fromSecret.bundle] : [],
      };
      pipeline(collected);
      for (const c of collected.certs) {
        expect(c.cert !== undefined || typeof c.problem === "string").toBe(true);
        if (c.cert) parsed++;
        else unparsable++;
      }
      expect(JSON.stringify(collected.certs.map((c) => c.problem))).not.toContain("PRIVATE KEY");
    }
    // Both outcomes happen: the mutations are neither all harmless nor all fatal.
    expect(parsed).toBeGreaterThan(100);
    expect(unparsable).toBeGreaterThan(100);
  });
});
