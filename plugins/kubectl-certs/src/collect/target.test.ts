import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BadInputError } from "@kubemend/lib/cli/errors";
import { describe, expect, it } from "vitest";
import { inspectTarget, parseTarget } from "./target.js";

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

describe("inspectTarget file:", () => {
  const deps = {
    client: () => Promise.reject(new Error("no API server for a file")),
    server: () => "",
    timeoutMs: 1000,
  };
  const write = (content: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), "kubemend-inspect-"));
    const file = path.join(dir, "x.pem");
    writeFileSync(file, content);
    return file;
  };

  it.each([
    [
      "a private key",
      "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
      "",
    ],
    ["text", "hello\n", ": no certificate found: input is neither PEM nor DER"],
    [
      "a broken certificate block",
      "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
      ": not a valid X.509 certificate: truncated DER",
    ],
  ])("with %s and no readable certificate is bad input (exit 2), in one line", async (_, content, why) => {
    const file = write(content);
    const err = await inspectTarget({ kind: "file", path: file }, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as BadInputError).exitCode).toBe(2);
    expect((err as Error).message).toBe(`${file} holds no certificate that can be read${why}`);
  });
});
