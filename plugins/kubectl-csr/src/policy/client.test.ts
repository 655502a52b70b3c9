import { beforeAll, describe, expect, it } from "vitest";
import { type ClientReviewContext, reviewClientCsr, supersedeClients, tokenBoundNode } from "./client.js";
import { type FixtureOptions, servingCsr } from "./testing.js";
import { type CertificateSigningRequest, KUBELET_CLIENT_SIGNER } from "./types.js";

const NOW = new Date("2026-11-23T12:00:00Z");
const BOOTSTRAP_GROUPS = [
  "system:bootstrappers",
  "system:bootstrappers:kubeadm:default-node-token",
  "system:authenticated",
];

/** A kubelet's TLS-bootstrap CSR as the kubelet files it with token abcdef (real PKCS#10). */
const clientCsr = (node: string, over: FixtureOptions = {}) =>
  servingCsr({
    node,
    username: "system:bootstrap:abcdef",
    cn: `system:node:${node}`,
    sans: {},
    signerName: KUBELET_CLIENT_SIGNER,
    usages: ["digital signature", "client auth"],
    groups: BOOTSTRAP_GROUPS,
    ...over,
  });

const context = (over: Partial<ClientReviewContext> = {}): ClientReviewContext => ({
  tokens: new Map([
    ["abcdef", { id: "abcdef", expiration: "2026-11-24T00:00:00Z", usableForAuthentication: true }],
    ["0ld0ld", { id: "0ld0ld", expiration: "2026-11-22T00:00:00Z", usableForAuthentication: true }],
    ["signin", { id: "signin", usableForAuthentication: false }],
  ]),
  nodes: new Map([
    ["ready-1", { name: "ready-1", ready: true }],
    ["gone-1", { name: "gone-1", ready: false }],
  ]),
  now: NOW,
  allowExistingNode: false,
  ...over,
});

const verdict = (csr: CertificateSigningRequest, ctx = context()) => {
  const review = reviewClientCsr(csr, ctx);
  return {
    verdict: review.verdict,
    node: review.node,
    violations: review.violations.map((v) => `${v.rule}: ${v.message}`),
  };
};

describe("approve-client rules", () => {
  let good: CertificateSigningRequest;
  beforeAll(async () => {
    good = await clientCsr("new-1");
  });

  it("approves a kubelet's bootstrap CSR for a new node, and its renewal by the node itself", async () => {
    expect(verdict(good)).toEqual({ verdict: "approve", node: "new-1", violations: [] });
    const renewal = await clientCsr("ready-1", {
      username: "system:node:ready-1",
      groups: ["system:nodes", "system:authenticated"],
    });
    expect(verdict(renewal).violations).toEqual([]);
    const rsa = await clientCsr("new-1", {
      key: "rsa-2048",
      usages: ["digital signature", "key encipherment", "client auth"],
    });
    expect(verdict(rsa).violations).toEqual([]);
  });

  it.each([
    [
      "an expired token",
      { username: "system:bootstrap:0ld0ld" },
      ["bootstrap-token: bootstrap token 0ld0ld expired at 2026-11-22T00:00:00Z"],
    ],
    [
      "a deleted token",
      { username: "system:bootstrap:zzzzzz" },
      ["bootstrap-token: bootstrap token zzzzzz does not exist (deleted or never made)"],
    ],
    [
      "a token not for authentication",
      { username: "system:bootstrap:signin" },
      [
        'bootstrap-token: bootstrap token signin is not for authentication (usage-bootstrap-authentication is not "true")',
      ],
    ],
    [
      "a user who is neither a token nor the node",
      { username: "kubernetes-admin", groups: ["kubeadm:cluster-admins", "system:authenticated"] },
      [
        'bootstrap-token: requested by "kubernetes-admin", neither a bootstrap token (system:bootstrap:<id>) nor the node itself',
      ],
    ],
    [
      "a renewal for another node's name",
      { username: "system:node:other-1", groups: ["system:nodes", "system:authenticated"] },
      ["bootstrap-token: node other-1 asks for the name of node new-1"],
    ],
    [
      "O=system:masters",
      { o: ["system:masters"] },
      [
        'client-subject: subject is "CN=system:node:new-1,O=system:masters", expected "CN=system:node:new-1,O=system:nodes"',
      ],
    ],
    [
      "a DNS SAN",
      { sans: { dns: ["new-1"] } },
      ["no-sans: a client certificate has no SANs, this asks for DNS:new-1"],
    ],
    [
      "an IP SAN",
      { sans: { ip: ["10.2.1.160"] } },
      ["no-sans: a client certificate has no SANs, this asks for IP:10.2.1.160"],
    ],
    [
      "server auth",
      { usages: ["digital signature", "client auth", "server auth"] },
      ["client-usages: usages server auth are not for a kubelet client certificate"],
    ],
    [
      "key encipherment on an ECDSA key",
      { usages: ["digital signature", "key encipherment", "client auth"] },
      ["client-usages: usages key encipherment are not for a kubelet client certificate"],
    ],
    ["no client auth", { usages: ["digital signature"] }, ["client-usages: usages lack client auth"]],
    [
      "RSA 1024",
      { key: "rsa-1024" as const },
      ["key: key RSA-1024 is not RSA >= 2048, ECDSA P-256/P-384 or Ed25519"],
    ],
    [
      "the serving signer",
      { signerName: "kubernetes.io/kubelet-serving" },
      ["signer: signer is kubernetes.io/kubelet-serving, not kubernetes.io/kube-apiserver-client-kubelet"],
    ],
    [
      "another node's name on a per-node token",
      { groups: ["system:bootstrappers", "system:bootstrappers:worker-7", "system:authenticated"] },
      ["token-node: the token is bound to node worker-7 (group system:bootstrappers:worker-7), not new-1"],
    ],
  ] as [string, FixtureOptions, string[]][])("refuses %s", async (_label, over, expected) => {
    expect(verdict(await clientCsr("new-1", over))).toMatchObject({
      verdict: "refuse",
      violations: expected,
    });
  });

  it("refuses a bootstrap token taking the name of an existing Ready node, unless --allow-existing-node", async () => {
    const takeover = await clientCsr("ready-1");
    expect(verdict(takeover).violations).toEqual([
      "existing-node: node ready-1 exists and is Ready: a bootstrap token may not take its name (--allow-existing-node)",
    ]);
    expect(verdict(takeover, context({ allowExistingNode: true })).violations).toEqual([]);
    // A node that is not Ready (its kubelet reinstalled) may bootstrap again.
    expect(verdict(await clientCsr("gone-1")).violations).toEqual([]);
  });

  it("a per-node token may ask for its own node; kubeadm's shared token binds none", async () => {
    const own = await clientCsr("worker-7", {
      groups: ["system:bootstrappers", "system:bootstrappers:worker-7", "system:authenticated"],
    });
    expect(verdict(own).violations).toEqual([]);
    expect(tokenBoundNode(BOOTSTRAP_GROUPS)).toBeUndefined();
    expect(tokenBoundNode(["system:bootstrappers:worker-7"])).toBe("worker-7");
  });

  it("an already decided CSR is left as it is", async () => {
    const decided = await clientCsr("new-1");
    decided.status = { conditions: [{ type: "Approved", status: "True" }] };
    expect(verdict(decided).violations).toEqual(["state: already Approved"]);
  });

  it("one approved client CSR per node within the window: the newest, and none after a recent approval", async () => {
    const older = await clientCsr("new-1", { name: "csr-older", created: "2026-11-23T11:00:00Z" });
    const newer = await clientCsr("new-1", { name: "csr-newer", created: "2026-11-23T11:01:00Z" });
    const other = await clientCsr("new-2", { name: "csr-other" });
    const reviews = [older, newer, other].map((c) => reviewClientCsr(c, context()));
    const shape = (rs: ReturnType<typeof supersedeClients>) =>
      rs.map((r) => [r.name, r.verdict, r.supersededBy ?? null]);
    expect(shape(supersedeClients(reviews, [], 600_000, NOW))).toEqual([
      ["csr-older", "superseded", "csr-newer"],
      ["csr-newer", "approve", null],
      ["csr-other", "approve", null],
    ]);
    const recent = [{ name: "csr-done", node: "new-1", approvedAt: NOW.getTime() - 60_000 }];
    expect(shape(supersedeClients(reviews, recent, 600_000, NOW))).toEqual([
      ["csr-older", "superseded", "csr-done"],
      ["csr-newer", "superseded", "csr-done"],
      ["csr-other", "approve", null],
    ]);
    const longAgo = [{ name: "csr-done", node: "new-1", approvedAt: NOW.getTime() - 3_600_000 }];
    expect(shape(supersedeClients(reviews, longAgo, 600_000, NOW))[1]).toEqual([
      "csr-newer",
      "approve",
      null,
    ]);
  });
});
