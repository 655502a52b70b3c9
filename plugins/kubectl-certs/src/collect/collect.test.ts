import { KubeApiError, networkError, timeoutError } from "@kubemend/lib/kube/errors";
import { describe, expect, it } from "vitest";
import { neverAnswered } from "./collect.js";

const req = { method: "GET" as const, path: "/api/v1/secrets", verb: "list" };
const server = "https://10.0.0.1:6443";

describe("neverAnswered", () => {
  it.each(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "ENOTFOUND"])(
    "%s: the API server never answered",
    (code) => {
      expect(neverAnswered(networkError(req, server, Object.assign(new Error("x"), { code })))).toBe(true);
    },
  );

  it("a request timeout (a hung API server) never answered", () => {
    expect(neverAnswered(timeoutError(req, server, 5000))).toBe(true);
  });

  it("an answer, even a refusal, is not: 403, 401, 500, an expired or untrusted certificate", () => {
    for (const status of [403, 401, 500])
      expect(neverAnswered(new KubeApiError("no", undefined, status, "Forbidden"))).toBe(false);
    for (const code of ["CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT"])
      expect(neverAnswered(networkError(req, server, Object.assign(new Error("x"), { code })))).toBe(false);
    expect(neverAnswered(new Error("ENOENT: no such file"))).toBe(false);
  });
});
