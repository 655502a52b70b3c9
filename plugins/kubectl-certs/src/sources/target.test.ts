import { describe, expect, it } from "vitest";
import { parseTarget } from "./target.js";

describe("parseTarget", () => {
  it.each([
    ["apiserver", { kind: "apiserver" }],
    ["secret/ingress/web-tls", { kind: "secret", namespace: "ingress", name: "web-tls" }],
    ["file:/etc/kubernetes/pki/apiserver.crt", { kind: "file", path: "/etc/kubernetes/pki/apiserver.crt" }],
    ["10.2.1.151:6443", { kind: "endpoint", host: "10.2.1.151", port: 6443 }],
    ["[fd00::1]:10250", { kind: "endpoint", host: "fd00::1", port: 10250 }],
    ["api.example.com:443", { kind: "endpoint", host: "api.example.com", port: 443 }],
    ["node/worker-1", { kind: "node", name: "worker-1" }],
    ["csr/csr-jbphr", { kind: "csr", name: "csr-jbphr" }],
  ])("%s", (text, target) => expect(parseTarget(text)).toEqual(target));

  it.each(["secret/only-name", "host", "host:0", "host:99999", "file:", "pod/x"])("rejects %s", (text) => {
    expect(() => parseTarget(text)).toThrow(/^cannot tell what/);
  });
});
