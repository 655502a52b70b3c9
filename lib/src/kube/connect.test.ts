import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../cli/errors.js";
import type { KubeFlags } from "../cli/kube-flags.js";
import { connect } from "./connect.js";

let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "kubemend-connect-"));
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function kube(overrides: Partial<KubeFlags>): KubeFlags {
  return {
    allNamespaces: false,
    asGroup: [],
    insecureSkipTlsVerify: false,
    requestTimeout: "0",
    ...overrides,
  };
}

describe("connect", () => {
  it("builds a client from KUBECONFIG in the command's env and the global flags", async () => {
    const file = path.join(tmp, "config");
    writeFileSync(
      file,
      `current-context: a
clusters:
- name: a
  cluster: {server: "https://a.example:6443", insecure-skip-tls-verify: true}
users:
- name: a
  user: {token: t}
contexts:
- name: a
  context: {cluster: a, user: a, namespace: team}
`,
    );
    const client = await connect({
      kube: kube({ requestTimeout: "5s" }),
      env: { HOME: tmp, KUBECONFIG: file },
    });
    expect(client.server).toBe("https://a.example:6443");
    expect(client.config.namespace).toBe("team");
    expect(client.config.files).toEqual([file]);
  });

  it("rejects a bad --request-timeout", async () => {
    await expect(
      connect({ kube: kube({ server: "https://x:6443", requestTimeout: "forever" }), env: { HOME: tmp } }),
    ).rejects.toBeInstanceOf(UsageError);
  });
});
