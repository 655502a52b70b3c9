import { describe, expect, it } from "vitest";
import { IncompleteError } from "../cli/errors.js";
import {
  type ApiRequest,
  describeAccess,
  isConflict,
  isForbidden,
  isNotFound,
  KubeApiError,
  networkError,
  statusError,
  timeoutError,
} from "./errors.js";
import type { ResolvedKubeConfig } from "./kubeconfig.js";

const SERVER = "https://10.0.0.1:6443";

const config: ResolvedKubeConfig = {
  files: [],
  contextName: "ctx",
  clusterName: "cluster",
  userName: "admin",
  namespace: "default",
  namespaceExplicit: false,
  server: SERVER,
  cluster: { server: SERVER },
  user: {},
  inCluster: false,
};

const approval: ApiRequest = {
  method: "PUT",
  path: "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-1/approval",
  verb: "update",
  ref: {
    group: "certificates.k8s.io",
    version: "v1",
    resource: "certificatesigningrequests",
    name: "csr-1",
    subresource: "approval",
  },
};

const listPods: ApiRequest = {
  method: "GET",
  path: "/api/v1/namespaces/web/pods",
  verb: "list",
  ref: { group: "", version: "v1", resource: "pods", namespace: "web" },
};

const version: ApiRequest = { method: "GET", path: "/version", verb: "get" };

describe("describeAccess", () => {
  it("names verb, resource, subresource and group", () => {
    expect(describeAccess(approval)).toBe("update certificatesigningrequests/approval.certificates.k8s.io");
    expect(describeAccess(listPods)).toBe("list pods");
    expect(describeAccess(version)).toBe("get /version");
  });
});

describe("statusError", () => {
  it("is a KubeApiError, an IncompleteError with exit code 3", () => {
    const err = statusError(listPods, config, 500, "", undefined);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toBeInstanceOf(IncompleteError);
    expect(err.exitCode).toBe(3);
    expect(err.name).toBe("KubeApiError");
  });

  it("explains a forbidden subresource update with the can-i command", () => {
    const err = statusError(
      approval,
      config,
      403,
      '{"kind":"Status","reason":"Forbidden","message":"no"}',
      undefined,
    );
    expect(err.message).toBe(
      "forbidden: cannot update certificatesigningrequests/approval.certificates.k8s.io at the cluster scope",
    );
    expect(err.hint).toBe(
      'a Role or ClusterRole must grant "update" on "certificatesigningrequests/approval.certificates.k8s.io"; check with: kubectl auth can-i update certificatesigningrequests/approval.certificates.k8s.io -A',
    );
    expect(err.reason).toBe("Forbidden");
    expect(isForbidden(err)).toBe(true);
    expect(isNotFound(err)).toBe(false);
    expect(isConflict(err)).toBe(false);
  });

  it("asks for access to a non-resource path", () => {
    const err = statusError(version, config, 403, "forbidden", undefined);
    expect(err.message).toBe("forbidden: cannot get /version");
    expect(err.hint).toBe("ask for access to /version");
  });

  it("names the object that was not found", () => {
    expect(statusError(approval, config, 404, "", undefined).message).toBe(
      'not found: certificatesigningrequests "csr-1"',
    );
    expect(statusError(listPods, config, 404, "", undefined).message).toBe(
      'not found: list pods in namespace "web"',
    );
  });

  it("keeps the start of a body that is not a Status, on one line", () => {
    const err = statusError(version, config, 502, "<html>\n  Bad gateway\n</html>", undefined);
    expect(err.message).toBe("get /version failed: 502 <html> Bad gateway </html>");
    expect(err.reason).toBeUndefined();
    expect(err.hint).toBe("the API server is overloaded or unhealthy; retry later or check its /readyz");
  });

  it("gives no hint for other client errors", () => {
    const err = statusError(
      listPods,
      config,
      422,
      '{"kind":"Status","reason":"Invalid","message":"spec is invalid"}',
      undefined,
    );
    expect(err.message).toBe('list pods in namespace "web" failed: 422 Invalid spec is invalid');
    expect(err.hint).toBeUndefined();
  });

  it("reads Retry-After only when it is a number of seconds", () => {
    expect(statusError(version, config, 429, "", "3").retryAfterSeconds).toBe(3);
    expect(statusError(version, config, 429, "", "0").retryAfterSeconds).toBe(0);
    expect(
      statusError(version, config, 429, "", "Wed, 21 Oct 2015 07:28:00 GMT").retryAfterSeconds,
    ).toBeUndefined();
    expect(statusError(version, config, 429, "", undefined).retryAfterSeconds).toBeUndefined();
  });
});

describe("networkError", () => {
  const make = (code: string, message = "boom") =>
    networkError(version, SERVER, Object.assign(new Error(message), { code }));

  it.each([
    ["ECONNREFUSED", `cannot connect to the API server at ${SERVER}: connection refused (get /version)`],
    ["ENOTFOUND", `cannot resolve the API server host in ${SERVER}`],
    ["EAI_AGAIN", `cannot resolve the API server host in ${SERVER}`],
    ["EHOSTUNREACH", `cannot reach the API server at ${SERVER} (EHOSTUNREACH)`],
    ["ECONNRESET", `the API server at ${SERVER} dropped the connection (get /version)`],
    ["CERT_HAS_EXPIRED", `the API server at ${SERVER} presents an expired certificate`],
    ["ERR_TLS_CERT_ALTNAME_INVALID", `the API server's certificate does not cover the address in ${SERVER}`],
    [
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      `the API server's certificate at ${SERVER} is not signed by a trusted CA (DEPTH_ZERO_SELF_SIGNED_CERT)`,
    ],
    ["EWHATEVER", `get /version at ${SERVER} failed: boom`],
  ])("%s → %s", (code, message) => {
    const err = make(code);
    expect(err.message).toBe(message);
    expect(err.networkCode).toBe(code);
    expect(err.status).toBeUndefined();
    expect(err.exitCode).toBe(3);
    expect(err.hint).toMatch(/\S/);
  });

  it("points TLS failures at the certificate flags", () => {
    expect(make("CERT_HAS_EXPIRED").hint).toContain("--certificate-authority");
  });
});

describe("timeoutError", () => {
  it.each([
    [1000, "1s"],
    [30_000, "30s"],
    [120_000, "2m"],
    [500, "500ms"],
  ])("%d ms → within %s", (ms, text) => {
    const err = timeoutError(version, SERVER, ms);
    expect(err.message).toBe(`no answer from the API server at ${SERVER} within ${text} (get /version)`);
    expect(err.exitCode).toBe(3);
  });
});
