import { readFileSync } from "node:fs";
import path from "node:path";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { metaTime } from "@kubemend/lib/kube/time";
import { createCsr as createCsrPem, generateKey, type KeyKind } from "@kubemend/lib/x509/issue";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  BOOTSTRAP_BINDINGS,
  BOOTSTRAP_TOKEN_GROUP,
  clientFor,
  startCluster,
  type TestCluster,
} from "../env/cluster.js";
import { writeKubeconfig } from "../env/kubeconfig-file.js";
import { csrsOf, type Kubelet, startKubelet, waitForNodeReady } from "../env/kubelet.js";
import { issueClientKubeconfig } from "../env/pki.js";
import { type CertificateSigningRequest, createCsr } from "../env/standin/csr.js";
import { kubectlPlugin, REPO, startKubectlPlugin } from "./plugins.js";

// kubectl csr approve-client on a cluster made without kubeadm's TLS-bootstrap bindings (S5's
// binary installs): the real kubelet cannot file its client CSR until the node-bootstrapper binding
// exists, then its CSR sits Pending (nothing auto-approves it) until approve-client approves it.
// Hostile client CSRs, filed with real bootstrap tokens and real node identities, are all refused.

const CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
const SECRETS = { group: "", version: "v1", resource: "secrets", namespace: "kube-system" };

interface PlanItem {
  name: string;
  node: string | null;
  verdict: string;
  violations: { rule: string; message: string }[];
  supersededBy?: string;
  outcome?: { result: string };
}

describe("kubectl csr approve-client", () => {
  let cluster: TestCluster;
  let admin: KubeClient;
  let joining: Kubelet;

  const csr = (args: string[]) => kubectlPlugin(["csr", ...args, "--kubeconfig", cluster.adminKubeconfig]);
  const getCsr = (name: string) =>
    admin.get<CertificateSigningRequest>({
      group: "certificates.k8s.io",
      version: "v1",
      resource: "certificatesigningrequests",
      name,
    });

  /** A bootstrap token Secret as kubeadm or an operator makes one, and a client that authenticates with it. */
  const bootstrapToken = async (id: string, groups: string[], expiresInMs = 3_600_000) => {
    await admin.create(SECRETS, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `bootstrap-token-${id}`, namespace: "kube-system" },
      type: "bootstrap.kubernetes.io/token",
      stringData: {
        "token-id": id,
        "token-secret": `${id}${id}${id}x`.slice(0, 16),
        expiration: metaTime(new Date(Date.now() + expiresInMs)),
        "usage-bootstrap-authentication": "true",
        "auth-extra-groups": groups.join(","),
      },
    });
    const kubeconfig = path.join(cluster.root, `token-${id}.conf`);
    await writeKubeconfig(kubeconfig, {
      server: cluster.server,
      caPem: cluster.pki.ca.certPem,
      user: { token: `${id}.${`${id}${id}${id}x`.slice(0, 16)}` },
      userName: `token-${id}`,
    });
    return clientFor(kubeconfig);
  };

  /** A client CSR for `node`, as a kubelet files it unless told otherwise. */
  const fileClientCsr = async (
    client: KubeClient,
    node: string,
    over: { o?: string[]; sans?: { dns?: string[]; ip?: string[] }; key?: KeyKind; usages?: string[] } = {},
  ) => {
    const key = await generateKey(over.key ?? "ecdsa-p256");
    const filed = await createCsr(client, {
      csrPem: await createCsrPem({
        cn: `system:node:${node}`,
        o: over.o ?? ["system:nodes"],
        ...(over.sans && { sans: over.sans }),
        key: key.privateKey,
      }),
      signerName: CLIENT_SIGNER,
      usages: over.usages ?? ["digital signature", "client auth"],
    });
    return filed.metadata.name;
  };

  beforeAll(async () => {
    cluster = await startCluster({ bootstrapRbac: false });
    admin = await cluster.admin();
  });
  afterAll(async () => {
    await joining?.stop();
    await cluster?.stop();
  });

  it("S5: without the bindings the kubelet cannot file its CSR; with node-bootstrapper alone it stays Pending until approve-client approves it, and the node registers", async () => {
    joining = await startKubelet(cluster, { index: 2, wait: false });
    // The API server refuses the bootstrap token's CSR: no system:node-bootstrapper binding.
    await vi.waitFor(
      () =>
        expect(readFileSync(joining.log, "utf8")).toMatch(
          /system:bootstrap:abcdef\W+ cannot create resource \W+certificatesigningrequests/,
        ),
      { timeout: 30_000, interval: 250 },
    );
    expect(await csrsOf(cluster, joining.name, "client")).toEqual([]);
    // csr list says why, with the binding kubeadm would have made.
    const list = await csr(["list"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(
      "WARNING: TLS bootstrap: missing: bootstrap tokens may file CSRs (create certificatesigningrequests); without it a joining kubelet gets 403 (kubeadm's kubeadm:kubelet-bootstrap)\n  fix: kubectl create clusterrolebinding kubeadm:kubelet-bootstrap --clusterrole=system:node-bootstrapper --group=system:bootstrappers:kubeadm:default-node-token\n",
    );
    const rbac = (
      JSON.parse((await csr(["list", "-o", "json"])).stdout) as { bootstrapRbac: { right: string }[] }
    ).bootstrapRbac;
    expect(rbac.map((n) => n.right)).toEqual(["file-csrs", "nodeclient", "selfnodeclient"]);
    // kubectl certs expiry reports the same as findings.
    const certs = await kubectlPlugin([
      "certs",
      "expiry",
      "--source",
      "bootstrap-tokens",
      "-o",
      "json",
      "--kubeconfig",
      cluster.adminKubeconfig,
    ]);
    const findings = (
      JSON.parse(certs.stdout) as {
        findings: { code: string; severity: string; subject: { name: string }; next: string }[];
      }
    ).findings.filter((f) => f.code === "TLS_BOOTSTRAP_RBAC_MISSING");
    expect(findings.map((f) => [f.subject.name, f.severity])).toEqual([
      ["kubeadm:kubelet-bootstrap", "warning"],
      ["kubeadm:node-autoapprove-bootstrap", "info"],
      ["kubeadm:node-autoapprove-certificate-rotation", "info"],
    ]);
    expect(findings[0]?.next).toBe(
      "kubectl create clusterrolebinding kubeadm:kubelet-bootstrap --clusterrole=system:node-bootstrapper --group=system:bootstrappers:kubeadm:default-node-token",
    );
    // --fix-rbac --dry-run=server shows the three bindings, and the API server accepts them without keeping them.
    const fix = await csr(["list", "--fix-rbac", "--dry-run=server"]);
    expect(fix.code, fix.stderr).toBe(0);
    for (const name of BOOTSTRAP_BINDINGS)
      expect(fix.stdout).toMatch(
        new RegExp(
          `^clusterrolebinding\\.rbac\\.authorization\\.k8s\\.io/${name} .* serverside-applied \\(server dry run\\)$`,
          "m",
        ),
      );
    for (const name of BOOTSTRAP_BINDINGS)
      expect((await cluster.kubectl(["get", "clusterrolebinding", name])).code, name).not.toBe(0);

    const bound = await cluster.kubectl([
      "create",
      "clusterrolebinding",
      "kubeadm:kubelet-bootstrap",
      "--clusterrole=system:node-bootstrapper",
      `--group=${BOOTSTRAP_TOKEN_GROUP}`,
    ]);
    expect(bound.code, bound.stderr).toBe(0);
    const [filed] = await vi.waitFor(
      async () => {
        const names = await csrsOf(cluster, joining.name, "client");
        if (names.length === 0) throw new Error("no client CSR yet");
        return names;
      },
      { timeout: 60_000, interval: 500 },
    );
    // Nothing approves it by itself: the nodeclient auto-approval binding is missing too.
    expect((await getCsr(filed as string)).status?.conditions ?? []).toEqual([]);

    const dry = await csr(["approve-client", "--all", "--dry-run=server", "-o", "json"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect((await getCsr(filed as string)).status?.conditions ?? []).toEqual([]);

    const result = await csr(["approve-client", "--all", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { kind: string; items: PlanItem[] };
    expect(plan.kind).toBe("ClientCsrApproval");
    const item = plan.items.find((i) => i.name === filed);
    expect(item).toMatchObject({
      node: joining.name,
      verdict: "approve",
      violations: [],
      outcome: { result: "approved" },
    });
    const approved = (await getCsr(filed as string)).status?.conditions?.find((c) => c.type === "Approved");
    expect(approved?.message).toMatch(
      /^approved by kubernetes-admin with kubectl csr approve-client; rules held: /,
    );
    await waitForNodeReady(cluster, joining);
  });

  it("refuses a corpus of hostile client CSRs, each for the right rule, and approves none", async () => {
    // As in S5: every bootstrap token (group system:bootstrappers) may file CSRs.
    const bound = await cluster.kubectl([
      "create",
      "clusterrolebinding",
      "e2e:bootstrappers-file-csrs",
      "--clusterrole=system:node-bootstrapper",
      "--group=system:bootstrappers",
    ]);
    expect(bound.code, bound.stderr).toBe(0);
    const shared = await bootstrapToken("shrd01", [BOOTSTRAP_TOKEN_GROUP]);
    const perNode = await bootstrapToken("node01", ["system:bootstrappers:worker-77"]);
    const doomed = await bootstrapToken("gone01", [BOOTSTRAP_TOKEN_GROUP]);
    const expiring = await bootstrapToken("exp001", [BOOTSTRAP_TOKEN_GROUP]);
    // An ordinary user who may file CSRs (not a cluster admin: the controller-manager approves an
    // admin's client CSR by itself, through its nodeclient permission).
    const malloryConf = await issueClientKubeconfig(cluster.pki, {
      path: path.join(cluster.root, "mallory.conf"),
      user: "mallory",
    });
    const allowed = await cluster.kubectl([
      "create",
      "clusterrolebinding",
      "e2e:mallory-files-csrs",
      "--clusterrole=system:node-bootstrapper",
      "--user=mallory",
    ]);
    expect(allowed.code, allowed.stderr).toBe(0);
    const mallory = await clientFor(malloryConf);
    const ready = joining?.name ?? `worker-${cluster.block}-2`;
    const nodeClient = await joining.client();
    const fresh = (n: number) => `fresh-${cluster.block}-${n}`;

    const corpus: [string, Promise<string>, string][] = [
      ["another node's name on a per-node token", fileClientCsr(perNode, fresh(1)), "token-node"],
      ["an existing Ready node's name", fileClientCsr(shared, ready), "existing-node"],
      ["a deleted token", fileClientCsr(doomed, fresh(2)), "bootstrap-token"],
      ["an expired token", fileClientCsr(expiring, fresh(3)), "bootstrap-token"],
      ["O=system:masters", fileClientCsr(shared, fresh(4), { o: ["system:masters"] }), "client-subject"],
      ["a DNS SAN", fileClientCsr(shared, fresh(5), { sans: { dns: [fresh(5)] } }), "no-sans"],
      ["an IP SAN", fileClientCsr(shared, fresh(6), { sans: { ip: [cluster.nodeIp(30)] } }), "no-sans"],
      [
        "server auth",
        fileClientCsr(shared, fresh(7), { usages: ["digital signature", "client auth", "server auth"] }),
        "client-usages",
      ],
      [
        "RSA 1024",
        fileClientCsr(shared, fresh(8), {
          key: "rsa-1024",
          usages: ["digital signature", "key encipherment", "client auth"],
        }),
        "key",
      ],
      ["a user who is neither a token nor the node", fileClientCsr(mallory, fresh(9)), "bootstrap-token"],
      [
        "key encipherment on an ECDSA key",
        fileClientCsr(shared, fresh(10), {
          usages: ["digital signature", "key encipherment", "client auth"],
        }),
        "client-usages",
      ],
      [
        "no client auth",
        fileClientCsr(shared, fresh(11), { usages: ["digital signature"] }),
        "client-usages",
      ],
    ];
    // A node asking for another node's name never gets as far as a CSR: NodeRestriction refuses it.
    await expect(fileClientCsr(nodeClient, fresh(12))).rejects.toThrow(
      /^forbidden: cannot create certificatesigningrequests/,
    );
    const filed = await Promise.all(
      corpus.map(async ([label, name, rule]) => ({ label, name: await name, rule })),
    );
    expect(new Set(filed.map((f) => f.name)).size).toBe(12);
    // After filing: one token deleted, one past its expiration (as when the token cleaner has not run yet).
    await admin.delete({ ...SECRETS, name: "bootstrap-token-gone01" });
    await admin.patch(
      { ...SECRETS, name: "bootstrap-token-exp001" },
      {
        stringData: { expiration: metaTime(new Date(Date.now() - 60_000)) },
      },
    );

    const result = await csr(["approve-client", ...filed.map((f) => f.name), "--deny-invalid", "-o", "json"]);
    expect(result.code).toBe(1);
    const plan = JSON.parse(result.stdout) as { items: PlanItem[] };
    for (const { label, name, rule } of filed) {
      const item = plan.items.find((i) => i.name === name);
      expect(item?.verdict, label).toBe("refuse");
      expect(
        item?.violations.map((v) => v.rule),
        label,
      ).toContain(rule);
      expect(item?.outcome?.result, label).toBe("denied");
    }
    for (const { label, name } of filed) {
      const conditions = (await getCsr(name)).status?.conditions ?? [];
      expect(
        conditions.map((c) => c.type),
        label,
      ).toEqual(["Denied"]);
    }
  });

  it("deploy/csr-approver with --include-client: a replica with the shipped arguments and rbac-client.yaml approves a joining kubelet's client CSR", async () => {
    const dir = path.join(REPO, "deploy", "csr-approver");
    for (const file of ["namespace.yaml", "rbac.yaml", "rbac-client.yaml"]) {
      const applied = await cluster.kubectl(["apply", "-f", path.join(dir, file)]);
      expect(applied.code, applied.stderr).toBe(0);
    }
    const token = await cluster.kubectl(["create", "token", "csr-approver", "-n", "kubemend-system"]);
    const kubeconfig = path.join(cluster.root, "csr-approver.conf");
    await writeKubeconfig(kubeconfig, {
      server: cluster.server,
      caPem: cluster.pki.ca.certPem,
      user: { token: token.stdout.trim() },
      userName: "csr-approver",
    });
    const deployment = load(readFileSync(path.join(dir, "deployment.yaml"), "utf8")) as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    const args = deployment.spec.template.spec.containers[0]?.args ?? [];
    const replica = startKubectlPlugin(
      ["csr", ...args, "--include-client", "--interval=1s", "--timeout=120s", "--kubeconfig", kubeconfig],
      { POD_NAME: "replica-a", POD_NAMESPACE: "kubemend-system" },
    );
    const late = await startKubelet(cluster, { index: 3, wait: false });
    try {
      await waitForNodeReady(cluster, late);
      const [filed] = await csrsOf(cluster, late.name, "client");
      const line = `certificatesigningrequest.certificates.k8s.io/${filed} approved`;
      await vi.waitFor(
        () => {
          if (!replica.output().stdout.includes(line))
            throw new Error("the replica has not reported the approval yet");
        },
        { timeout: 30_000, interval: 200 },
      );
      const result = await replica.stop();
      expect(result.code, result.stderr).toBe(0);
      const approved = (await getCsr(filed as string)).status?.conditions?.find((c) => c.type === "Approved");
      expect(approved?.message).toMatch(
        /^approved by system:serviceaccount:kubemend-system:csr-approver with kubectl csr approve-client; /,
      );
    } finally {
      await replica.stop();
      await late.stop();
    }
  });
});
