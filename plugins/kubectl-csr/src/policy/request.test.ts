import { describe, expect, it } from "vitest";
import { decodeRequest, requestRule } from "./request.js";
import { servingCsr, underReview } from "./testing.js";

describe("request rule", () => {
  it("holds for a self-signed request for CN=system:node:<name>, O=system:nodes", async () => {
    expect(requestRule(underReview(await servingCsr()))).toEqual([]);
  });

  it("refuses O=system:masters", async () => {
    const csr = await servingCsr({ o: ["system:masters"] });
    expect(requestRule(underReview(csr))).toEqual([
      {
        rule: "request",
        message:
          'subject is "CN=system:node:worker-1,O=system:masters", expected "CN=system:node:worker-1,O=system:nodes"',
      },
    ]);
  });

  it("refuses an extra organization and a CN for another node", async () => {
    const extra = await servingCsr({ o: ["system:nodes", "system:masters"] });
    expect(requestRule(underReview(extra))[0]?.message).toMatch(/^subject is "CN=system:node:worker-1,O=/);
    const other = await servingCsr({ cn: "system:node:worker-2" });
    expect(requestRule(underReview(other))[0]?.message).toBe(
      'subject is "CN=system:node:worker-2,O=system:nodes", expected "CN=system:node:worker-1,O=system:nodes"',
    );
  });

  it("refuses a request whose signature does not verify", async () => {
    const csr = await servingCsr();
    const pem = Buffer.from(csr.spec.request, "base64").toString();
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    der[der.length - 5] = (der[der.length - 5] as number) ^ 0xff;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
    csr.spec.request = Buffer.from(tampered).toString("base64");
    expect(requestRule(underReview(csr))).toEqual([
      { rule: "request", message: "request's self-signature does not verify" },
    ]);
  });

  it("refuses a request that is not PKCS#10", async () => {
    const csr = await servingCsr();
    csr.spec.request = Buffer.from("hello").toString("base64");
    expect(requestRule(underReview(csr))).toEqual([
      { rule: "request", message: "request does not parse: not a PEM certificate request" },
    ]);
    csr.spec.request = "";
    expect(requestRule(underReview(csr))).toEqual([
      { rule: "request", message: "request does not parse: spec.request is empty" },
    ]);
  });
});

describe("request rule, edge cases", () => {
  it("reads a missing spec.request as empty", async () => {
    const csr = await servingCsr();
    delete (csr.spec as { request?: string }).request;
    expect(decodeRequest(csr)).toEqual({ ok: false, error: "spec.request is empty" });
  });

  it("expects an empty CN when spec.username is missing", async () => {
    const csr = await servingCsr();
    delete csr.spec.username;
    expect(requestRule(underReview(csr))).toEqual([
      {
        rule: "request",
        message: 'subject is "CN=system:node:worker-1,O=system:nodes", expected "CN=,O=system:nodes"',
      },
    ]);
  });

  it("compares the CN itself, not only its escaped form in the subject", async () => {
    // CN "x,y" is shown as CN=x\,y: the subject text equals the expected one for username "x\,y".
    const csr = await servingCsr({ cn: "x,y", username: "x\\,y" });
    expect(requestRule(underReview(csr))).toEqual([
      {
        rule: "request",
        message: 'subject is "CN=x\\,y,O=system:nodes", expected "CN=x\\,y,O=system:nodes"',
      },
    ]);
  });

  it("refuses a subject with more than CN and O, as the parser shows it", async () => {
    const review = underReview(await servingCsr());
    if (!review.request.ok) throw new Error("fixture does not parse");
    const subject = {
      dn: "CN=system:node:worker-1,OU=ops,O=system:nodes",
      cn: "system:node:worker-1",
      o: ["system:nodes"],
    };
    review.request = { ok: true, csr: { ...review.request.csr, subject } };
    expect(requestRule(review)).toEqual([
      {
        rule: "request",
        message:
          'subject is "CN=system:node:worker-1,OU=ops,O=system:nodes", expected "CN=system:node:worker-1,O=system:nodes"',
      },
    ]);
  });
});
