import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AccessCheck, checkAccess, describeCheck, whoAmI } from "./access.js";
import { KubeClient } from "./client.js";
import { loadKubeConfig } from "./kubeconfig.js";

let tmp: string;
let server: http.Server | undefined;

beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "kubemend-access-"));
});

afterEach(async () => {
  if (server) {
    const s = server;
    server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  rmSync(tmp, { recursive: true, force: true });
});

interface Posted {
  path: string;
  body: Record<string, unknown>;
}

/** A local HTTP server that answers each POST with answer(body). */
async function serve(
  answer: (body: Record<string, unknown>) => unknown,
): Promise<{ client: KubeClient; posted: Posted[] }> {
  const posted: Posted[] = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      posted.push({ path: req.url ?? "", body });
      res.writeHead(201, { "Content-Type": "application/json" });
      res.end(JSON.stringify(answer(body)));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const file = path.join(tmp, "config");
  writeFileSync(
    file,
    `current-context: t
clusters:
- name: t
  cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}
users:
- name: t
  user: {token: x}
contexts:
- name: t
  context: {cluster: t, user: t}
`,
  );
  const config = loadKubeConfig(
    {
      kubeconfig: file,
      allNamespaces: false,
      asGroup: [],
      insecureSkipTlsVerify: false,
      requestTimeout: "0",
    },
    { env: { HOME: tmp } },
  );
  return { client: await KubeClient.create(config, { requestTimeoutMs: 5000, backoffMs: 1 }), posted };
}

describe("describeCheck", () => {
  it("names verb, resource, group, name and namespace", () => {
    expect(
      describeCheck({
        verb: "update",
        group: "certificates.k8s.io",
        resource: "certificatesigningrequests",
        subresource: "approval",
      }),
    ).toBe("update certificatesigningrequests/approval.certificates.k8s.io");
    expect(
      describeCheck({ verb: "get", group: "", resource: "secrets", name: "s", namespace: "kube-system" }),
    ).toBe('get secrets "s" in namespace "kube-system"');
  });
});

describe("checkAccess", () => {
  it("posts one SelfSubjectAccessReview per check and returns the verdicts in order", async () => {
    const { client, posted } = await serve((body) => {
      const attrs = (body.spec as { resourceAttributes: AccessCheck }).resourceAttributes;
      return {
        status: attrs.verb === "list" ? { allowed: true } : { allowed: false, reason: "no RBAC rule" },
      };
    });
    const checks: AccessCheck[] = [
      { verb: "list", group: "", resource: "nodes" },
      {
        verb: "update",
        group: "certificates.k8s.io",
        resource: "certificatesigningrequests",
        subresource: "approval",
      },
    ];
    const verdicts = await checkAccess(client, checks);
    expect(verdicts).toEqual([
      { verb: "list", group: "", resource: "nodes", allowed: true, reason: undefined },
      {
        verb: "update",
        group: "certificates.k8s.io",
        resource: "certificatesigningrequests",
        subresource: "approval",
        allowed: false,
        reason: "no RBAC rule",
      },
    ]);
    expect(posted.length).toBe(2);
    expect(posted.every((p) => p.path === "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")).toBe(
      true,
    );
    expect(posted.map((p) => p.body.kind)).toEqual(["SelfSubjectAccessReview", "SelfSubjectAccessReview"]);
  });

  it("treats a review without status as not allowed", async () => {
    const { client } = await serve(() => ({}));
    const [verdict] = await checkAccess(client, [{ verb: "get", group: "", resource: "pods" }]);
    expect(verdict?.allowed).toBe(false);
  });
});

describe("whoAmI", () => {
  it("reads the user info of a SelfSubjectReview", async () => {
    const { client, posted } = await serve(() => ({
      status: {
        userInfo: {
          username: "kubernetes-admin",
          groups: ["kubeadm:cluster-admins", "system:authenticated"],
        },
      },
    }));
    expect(await whoAmI(client)).toEqual({
      username: "kubernetes-admin",
      groups: ["kubeadm:cluster-admins", "system:authenticated"],
      uid: undefined,
    });
    expect(posted[0]?.path).toBe("/apis/authentication.k8s.io/v1/selfsubjectreviews");
  });
});
