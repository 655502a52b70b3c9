import { describe, expect, it } from "vitest";
import { describeProbe, interpretProxyAnswer, reached } from "./signature.js";

const status = (message: string) => JSON.stringify({ kind: "Status", status: "Failure", message });

// Messages as the test control plane's API server returned them through services/proxy and pods/proxy.
describe("interpretProxyAnswer", () => {
  it("the backend's own answers", () => {
    expect(interpretProxyAnswer(200, "ok\n")).toEqual({ outcome: "ok", status: 200 });
    expect(interpretProxyAnswer(503, "not ready\n")).toEqual({ outcome: "http-error", status: 503 });
    expect(reached(interpretProxyAnswer(503, "not ready\n"))).toBe(true);
  });

  it("the API server's dial failures", () => {
    expect(interpretProxyAnswer(503, status('no endpoints available for service "api"')).outcome).toBe(
      "no-endpoints",
    );
    const refused = interpretProxyAnswer(
      503,
      status("error trying to reach service: dial tcp 10.244.5.11:9999: connect: connection refused"),
    );
    expect(refused.outcome).toBe("refused");
    expect(reached(refused)).toBe(false);
    expect(
      interpretProxyAnswer(503, status("error trying to reach service: dial tcp 10.233.0.1:443: i/o timeout"))
        .outcome,
    ).toBe("timeout");
    expect(interpretProxyAnswer(503, status("dial tcp: lookup db.example.com: no such host")).outcome).toBe(
      "nxdomain",
    );
    expect(interpretProxyAnswer(403, status("forbidden")).outcome).toBe("forbidden");
    expect(interpretProxyAnswer(502, status("error trying to reach service: EOF")).outcome).toBe("not-http");
  });

  it("describes results in words", () => {
    expect(describeProbe({ outcome: "ok", status: 200 })).toBe("answered HTTP 200");
    expect(describeProbe({ outcome: "refused", detail: "dial tcp x: connect: connection refused" })).toBe(
      "refused: dial tcp x: connect: connection refused",
    );
  });
});
