import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import tls from "node:tls";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { createCsr as createCsrPem, generateKey, type KeyKind } from "@kubemend/lib/x509/issue";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SERVICE_CIDR, startCluster, type TestCluster } from "../env/cluster.js";
import { writeKubeconfig } from "../env/kubeconfig-file.js";
import { csrsOf, type Kubelet, startKubelet } from "../env/kubelet.js";
import { bootstrapNode, type NodeCredentials } from "../env/standin/bootstrap.js";
import { type CertificateSigningRequest, createCsr, SERVING_SIGNER } from "../env/standin/csr.js";
import { kubectlPlugin, REPO, startKubectlPlugin } from "./plugins.js";

// kubectl csr against the real control plane: the built plugin through the real kubectl, CSRs
// filed with real node identities, the real approval subresource and the real kubelet-serving signer.
describe("kubectl csr", () => {
  let cluster: TestCluster;
  /** Real kubelets: s2 serves the legacy self-signed certificate (S2); attacker's identity files the hostile CSRs. */
  let s2: Kubelet;
  let attacker: Kubelet;
  let attackerClient: KubeClient;
  let ghost: NodeCredentials;
  let admin: KubeClient;
  const corpus = new Map<string, { label: string; rule: string; message: string }>();

  beforeAll(async () => {
    cluster = await startCluster();
    [s2, attacker] = await Promise.all([
      startKubelet(cluster, { index: 2 }),
      startKubelet(cluster, { index: 3 }),
    ]);
    attackerClient = await attacker.client();
    ghost = await bootstrapNode(cluster, `ghost-${cluster.block}`);
    admin = await cluster.admin();
  });
  afterAll(async () => {
    await Promise.all([s2?.stop(), attacker?.stop()]);
    await cluster?.stop();
  });

  const csrPlugin = (args: string[], kubeconfig = cluster.adminKubeconfig) =>
    kubectlPlugin(["csr", ...args, "--kubeconfig", kubeconfig]);
  const getCsr = async (name: string) =>
    JSON.parse(
      (await cluster.kubectl(["get", "csr", name, "-o", "json"])).stdout,
    ) as CertificateSigningRequest;

  interface Submission {
    cn?: string;
    o?: string[];
    sans: { dns?: string[]; ip?: string[]; email?: string[]; uri?: string[] };
    key?: KeyKind;
    signerName?: string;
    usages?: string[];
    name?: string;
  }
  const submit = async (client: KubeClient, cn: string, s: Submission) => {
    const key = await generateKey(s.key ?? "ecdsa-p256");
    const csr = await createCsr(client, {
      name: s.name,
      csrPem: await createCsrPem({
        cn: s.cn ?? cn,
        o: s.o ?? ["system:nodes"],
        sans: s.sans,
        key: key.privateKey,
      }),
      signerName: s.signerName ?? SERVING_SIGNER,
      usages: s.usages ?? ["digital signature", "server auth"],
    });
    return csr.metadata.name;
  };
  const asNode = (node: { name: string; client: KubeClient }, s: Submission) =>
    submit(node.client, `system:node:${node.name}`, s);
  const asAttacker = (s: Submission) => asNode({ name: attacker.name, client: attackerClient }, s);
  /** What `kubectl certs expiry --source nodes` reports about one node's kubelet endpoint. */
  const nodeCertificates = async (node: { name: string; ip: string }) => {
    const result = await kubectlPlugin([
      "certs",
      "expiry",
      "--source",
      "nodes",
      "-o",
      "json",
      "--kubeconfig",
      cluster.adminKubeconfig,
    ]);
    const report = JSON.parse(result.stdout) as {
      certificates: { location: string; sans: string[] }[];
      findings: { code: string; subject: { name?: string } }[];
    };
    return {
      // The leaf: "#0" of a served chain of several, the endpoint itself when it is served alone.
      sans: report.certificates.find((c) => [`${node.ip}:10250`, `${node.ip}:10250#0`].includes(c.location))
        ?.sans,
      findings: report.findings.filter((f) => f.subject.name === node.name).map((f) => f.code),
    };
  };
  const approvedEver = async (names: Iterable<string>) => {
    const approved: string[] = [];
    for (const name of names) {
      const csr = await getCsr(name);
      if (csr.status?.conditions?.some((c) => c.type === "Approved")) approved.push(name);
      if (csr.status?.certificate) approved.push(`${name} (issued)`);
    }
    return approved;
  };

  /**
   * The hostile CSRs, filed once by whichever test needs them first, so that every test that reads
   * the corpus checks it also when run alone (-t). Resolves with the number filed.
   */
  let filed: Promise<number> | undefined;
  const fileCorpus = () => {
    filed ??= (async () => {
      const self = { dns: [attacker.name], ip: [attacker.ip] };
      const entries: [string, () => Promise<string>, string, string][] = [
        [
          "another node's IP",
          () => asAttacker({ sans: { dns: [attacker.name], ip: [s2.ip] } }),
          "node-addresses",
          `IP SAN ${s2.ip} is not an address of node ${attacker.name}`,
        ],
        [
          "kubernetes.default.svc",
          () => asAttacker({ sans: { dns: [attacker.name, "kubernetes.default.svc"], ip: [attacker.ip] } }),
          "node-addresses",
          `DNS SAN kubernetes.default.svc is not a name of node ${attacker.name}`,
        ],
        [
          "client auth usage",
          () => asAttacker({ sans: self, usages: ["digital signature", "server auth", "client auth"] }),
          "usages",
          "usage not allowed: client auth",
        ],
        [
          "URI SAN",
          () => asAttacker({ sans: { ...self, uri: ["spiffe://cluster.local/ns/kube-system/sa/admin"] } }),
          "sans",
          "URI SAN not allowed: spiffe://cluster.local/ns/kube-system/sa/admin",
        ],
        [
          "email SAN",
          () => asAttacker({ sans: { ...self, email: ["root@example.com"] } }),
          "sans",
          "email SAN not allowed: root@example.com",
        ],
        [
          "wildcard",
          () => asAttacker({ sans: { dns: [`*.${attacker.name}`], ip: [attacker.ip] } }),
          "sans",
          `wildcard DNS SAN: *.${attacker.name}`,
        ],
        [
          "O=system:masters",
          () => asAttacker({ sans: self, o: ["system:masters"] }),
          "request",
          `subject is "CN=system:node:${attacker.name},O=system:masters"`,
        ],
        [
          "Service CIDR IP",
          () => asAttacker({ sans: { dns: [attacker.name], ip: [attacker.ip, "10.96.0.1"] } }),
          "node-addresses",
          `IP SAN 10.96.0.1 is in the Service CIDR ${SERVICE_CIDR}`,
        ],
        [
          "link-local IP",
          () => asAttacker({ sans: { dns: [attacker.name], ip: ["169.254.169.254"] } }),
          "node-addresses",
          "IP SAN 169.254.169.254 is link-local",
        ],
        [
          "loopback IP",
          () => asAttacker({ sans: { dns: [attacker.name], ip: ["127.0.0.1"] } }),
          "node-addresses",
          "IP SAN 127.0.0.1 is loopback",
        ],
        [
          "a node that does not exist",
          () => asNode({ name: ghost.nodeName, client: ghost.client }, { sans: { dns: [ghost.nodeName] } }),
          "node-addresses",
          `node "${ghost.nodeName}" does not exist`,
        ],
        [
          "client-signer CSR",
          () =>
            asAttacker({
              sans: {},
              signerName: "kubernetes.io/kube-apiserver-client",
              usages: ["digital signature", "client auth"],
            }),
          "signer",
          "signer is kubernetes.io/kube-apiserver-client, not kubernetes.io/kubelet-serving",
        ],
        [
          "RSA-1024 key",
          () => asAttacker({ sans: self, key: "rsa-1024" }),
          "key",
          "key RSA-1024 is not RSA >= 2048, ECDSA P-256/P-384 or Ed25519",
        ],
        [
          "another user, not a node",
          () => submit(admin, `system:node:${attacker.name}`, { sans: self }),
          "requestor",
          'requested by "kubernetes-admin", not by a node',
        ],
      ];
      for (const [label, create, rule, message] of entries) {
        const name = await create().catch((err: Error) => {
          throw new Error(`submitting "${label}": ${err.message}`);
        });
        corpus.set(name, { label, rule, message });
      }
      return entries.length;
    })();
    return filed;
  };

  /**
   * Two valid serving CSRs of one node, a second apart: the older must stay unapproved once the
   * newer is approved. Filed once, by whichever test needs them first.
   */
  let superseding: Promise<[string, string]> | undefined;
  const fileSuperseding = () => {
    superseding ??= (async () => {
      const self = { dns: [attacker.name], ip: [attacker.ip] };
      const older = await asAttacker({ sans: self });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      return [older, await asAttacker({ sans: self })];
    })();
    return superseding;
  };

  it("refuses an adversarial corpus, each CSR for the right reason, and approves none", async () => {
    // Every hostile CSR was filed under a name of its own.
    const count = await fileCorpus();
    expect(corpus.size).toBe(count);
    // The API server's NodeRestriction admission already refuses a node's CSR for another node's name.
    await expect(asAttacker({ sans: { dns: [s2.name] }, cn: `system:node:${s2.name}` })).rejects.toThrow(
      /^forbidden: cannot create certificatesigningrequests/,
    );

    const all = await csrPlugin(["approve-serving", "--all", "-o", "json"]);
    expect(all.stderr).toBe("");
    expect(all.code).toBe(0);
    const plan = JSON.parse(all.stdout) as PlanDocument;
    expect(plan.serviceCidrs).toEqual({
      cidrs: [SERVICE_CIDR],
      source: "ServiceCIDR objects (networking.k8s.io/v1)",
    });
    expect(plan.caller).toBe("kubernetes-admin");
    const named = await csrPlugin(["approve-serving", ...corpus.keys(), "-o", "json"]);
    expect(named.code).toBe(1);
    const planNamed = JSON.parse(named.stdout) as PlanDocument;
    for (const [name, expected] of corpus) {
      const item = planNamed.items.find((i) => i.name === name);
      expect(item?.verdict, expected.label).toBe("refuse");
      expect(item?.outcome?.result, expected.label).toBe("pending");
      expect(
        item?.violations.some((v) => v.rule === expected.rule && v.message.includes(expected.message)),
        `${expected.label}: ${JSON.stringify(item?.violations)}`,
      ).toBe(true);
      if (expected.rule !== "signer")
        expect(
          plan.items.map((i) => i.name),
          expected.label,
        ).toContain(name);
    }
    expect(plan.items.map((i) => i.name)).not.toContain(
      [...corpus].find(([, e]) => e.rule === "signer")?.[0],
    );

    const table = await csrPlugin(["approve-serving", "--all"]);
    expect(table.code).toBe(0);
    const [header] = table.stdout.split("\n");
    expect(header).toMatch(/^CSR\s+NODE\s+SANS\s+VERDICT\s+REASON$/);
    const linkLocal = [...corpus].find(([, e]) => e.label === "link-local IP")?.[0] as string;
    expect(table.stdout).toMatch(
      new RegExp(
        `^${linkLocal}\\s+${attacker.name}\\s+DNS:${attacker.name},IP:169\\.254\\.169\\.254\\s+Refuse\\s+node-addresses: IP SAN 169\\.254\\.169\\.254 is link-local$`,
        "m",
      ),
    );
    expect(table.stdout).toContain(
      `certificatesigningrequest.certificates.k8s.io/${linkLocal} left pending: node-addresses: IP SAN 169.254.169.254 is link-local`,
    );
    expect(table.stdout).toContain(
      `Service CIDR ${SERVICE_CIDR}, from ServiceCIDR objects (networking.k8s.io/v1).`,
    );
    expect(await approvedEver(corpus.keys())).toEqual([]);
  });

  it("lists CSRs with the verdict approve-serving would give", async () => {
    await fileCorpus();
    const result = await csrPlugin(["list", "--pending", "--signer", SERVING_SIGNER]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+AGE\s+SIGNER\s+REQUESTOR\s+CN\s+SANS\s+CONDITION\s+VERDICT$/);
    const wildcard = [...corpus].find(([, e]) => e.label === "wildcard")?.[0] as string;
    expect(lines.find((l) => l.startsWith(`${wildcard} `))).toMatch(
      new RegExp(
        `^${wildcard}\\s+\\d+s\\s+kubernetes\\.io/kubelet-serving\\s+system:node:${attacker.name}\\s+system:node:${attacker.name}\\s+DNS:\\*\\.${attacker.name},IP:[\\d.]+\\s+Pending\\s+Refuse$`,
      ),
    );
    expect(lines).toHaveLength(1 + [...corpus.values()].filter((e) => e.rule !== "signer").length);
    const all = JSON.parse((await csrPlugin(["list", "-o", "json"])).stdout) as {
      items: { name: string; signerName: string; condition: string; verdict?: string }[];
    };
    const [attackerBootstrap] = await csrsOf(cluster, attacker.name, "client");
    const bootstrapCsr = all.items.find((i) => i.name === attackerBootstrap);
    expect(bootstrapCsr).toMatchObject({
      signerName: "kubernetes.io/kube-apiserver-client-kubelet",
      condition: "Approved,Issued",
    });
    expect(bootstrapCsr?.verdict).toBeUndefined();
  });

  it("preflights access: a node cannot approve, in one line, exit 3", async () => {
    const result = await csrPlugin(["approve-serving", "--all"], attacker.kubeconfig);
    expect(result.code).toBe(3);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toBe(
      'error: cannot approve CSRs: not allowed to update certificatesigningrequests/approval.certificates.k8s.io, nor approve signers.certificates.k8s.io "kubernetes.io/kubelet-serving"',
    );
    expect(lines[1]).toMatch(/^ {2}hint: bind a ClusterRole/);
    expect(result.stdout).toBe("");
  });

  it("S2/S5: a legacy node switches to serverTLSBootstrap and approve-serving --all --wait gets it a verifiable certificate", async () => {
    await fileCorpus();
    const insecureBefore = await handshake(s2.ip, { ca: cluster.pki.ca.certPem });
    expect(insecureBefore.error).toMatch(/self[- ]signed|unable to (get|verify)/i);
    const before = await nodeCertificates(s2);
    expect(before.findings).toContain("KUBELET_NO_IP_SAN");
    expect(before.findings).toContain("KUBELET_SELF_SIGNED");
    expect(before.sans).toEqual([s2.name]);
    // The S2 fix as an operator makes it: serverTLSBootstrap in the kubelet's config, then a restart.
    await s2.reconfigure({ serverTLSBootstrap: true });
    const name = await vi.waitFor(
      async () => {
        const [pending] = await csrsOf(cluster, s2.name, "serving", { pendingOnly: true });
        if (!pending) throw new Error("no serving CSR yet");
        return pending;
      },
      { timeout: 60_000, interval: 250 },
    );
    const result = await csrPlugin(["approve-serving", "--all", "--wait"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^${name}\\s+${s2.name}\\s+DNS:${s2.name},IP:${s2.ip.replaceAll(".", "\\.")}\\s+Approve\\s+every rule holds$`,
        "m",
      ),
    );
    expect(result.stdout).toContain(
      `certificatesigningrequest.certificates.k8s.io/${name} issued, valid until `,
    );
    const csr = await getCsr(name);
    const approved = csr.status?.conditions?.find((c) => c.type === "Approved");
    expect(approved).toMatchObject({ status: "True", reason: "KubemendApproveServing" });
    expect(approved?.message).toMatch(
      /^approved by kubernetes-admin with kubectl csr approve-serving; rules held: signer, state, requestor, request, usages, sans, node-addresses, key, newest; Service CIDR 10\.96\.0\.0\/12$/,
    );

    // What metrics-server does (and failed to do in S2): verify the kubelet by IP against the cluster CA.
    const verified = await vi.waitFor(
      async () => {
        const answer = await handshake(s2.ip, { ca: cluster.pki.ca.certPem });
        if (answer.error) throw new Error(answer.error);
        return answer;
      },
      { timeout: 60_000, interval: 250 },
    );
    expect(verified.error).toBeUndefined();
    expect(verified.authorized).toBe(true);
    expect(verified.subjectAltName).toBe(`DNS:${s2.name}, IP Address:${s2.ip}`);
    const after = await nodeCertificates(s2);
    expect(after.sans).toEqual([s2.name, s2.ip]);
    expect(after.findings).not.toContain("KUBELET_NO_IP_SAN");
    expect(after.findings).not.toContain("KUBELET_SELF_SIGNED");
    expect(await approvedEver(corpus.keys())).toEqual([]);
  });

  it("approves only the newest of a node's valid CSRs; --dry-run=server writes nothing, --dry-run only plans", async () => {
    const [older, newer] = await fileSuperseding();
    const server = await csrPlugin(["approve-serving", older, newer, "--dry-run=server", "-o", "json"]);
    const plan = JSON.parse(server.stdout) as PlanDocument;
    expect(plan.dryRun).toBe("server");
    expect(plan.items.map((i) => [i.name, i.verdict, i.supersededBy ?? null, i.outcome?.result])).toEqual([
      [older, "superseded", newer, "pending"],
      [newer, "approve", null, "approved"],
    ]);
    expect(plan.items[1]?.outcome?.serverDryRun).toBe(true);
    expect(server.code).toBe(1);
    expect(await approvedEver([older, newer])).toEqual([]);

    const client = await csrPlugin(["approve-serving", newer, "--dry-run"]);
    expect(client.code).toBe(0);
    expect(client.stdout).toMatch(new RegExp(`^${newer}\\s+${attacker.name}\\s+\\S+\\s+Approve\\s`, "m"));
    expect(client.stdout).not.toContain("certificatesigningrequest.certificates.k8s.io/");
    expect(await approvedEver([newer])).toEqual([]);

    const real = await csrPlugin(["approve-serving", newer]);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain(`certificatesigningrequest.certificates.k8s.io/${newer} approved\n`);
    expect(await approvedEver([older, newer])).toEqual([newer, `${newer} (issued)`]);

    // Named alone, the older CSR is still superseded by the node's newer approved one.
    const alone = await csrPlugin(["approve-serving", older, "-o", "json"]);
    const aloneItems = (JSON.parse(alone.stdout) as PlanDocument).items;
    expect(aloneItems.map((i) => [i.name, i.verdict, i.supersededBy ?? null])).toEqual([
      [older, "superseded", newer],
    ]);
    expect(alone.code).toBe(1);
    // csr list --pending gives the same verdict as approve-serving.
    const pendingList = JSON.parse((await csrPlugin(["list", "--pending", "-o", "json"])).stdout) as {
      items: { name: string; verdict?: string; supersededBy?: string }[];
    };
    expect(pendingList.items.find((i) => i.name === older)).toMatchObject({
      verdict: "superseded",
      supersededBy: newer,
    });
    expect(await approvedEver([older])).toEqual([]);
  });

  it("re-validates a CSR replaced between validation and approval, and leaves the new one unapproved", async () => {
    const name = `race-${cluster.block}`;
    await asAttacker({ name, sans: { dns: [attacker.name], ip: [attacker.ip] } });
    const proxy = await racingProxy(cluster, async () => {
      await admin.delete({
        group: "certificates.k8s.io",
        version: "v1",
        resource: "certificatesigningrequests",
        name,
      });
      await asAttacker({ name, sans: { dns: [attacker.name], ip: [attacker.ip, "10.96.0.10"] } });
    });
    try {
      const result = await csrPlugin(["approve-serving", name, "-o", "json"], proxy.kubeconfig);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(1);
      const item = (JSON.parse(result.stdout) as PlanDocument).items[0];
      expect(item?.verdict).toBe("approve");
      expect(item?.outcome).toMatchObject({
        result: "failed",
        conflicts: 1,
        message: `not approved: changed since it was checked and now fails: node-addresses: IP SAN 10.96.0.10 is in the Service CIDR ${SERVICE_CIDR}`,
      });
      expect(proxy.approvals()).toBe(1);
    } finally {
      await proxy.close();
    }
    const now = await getCsr(name);
    expect(now.status?.conditions ?? []).toEqual([]);
  });

  it("approves after a conflict when the CSR still passes, pinned to the version it checked", async () => {
    const name = `touched-${cluster.block}`;
    await asAttacker({ name, sans: { dns: [attacker.name], ip: [attacker.ip] } });
    const proxy = await racingProxy(cluster, async () => {
      await cluster.kubectl(["label", "csr", name, "touched=yes"]);
    });
    try {
      const result = await csrPlugin(["approve-serving", name, "-o", "json"], proxy.kubeconfig);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect((JSON.parse(result.stdout) as PlanDocument).items[0]?.outcome).toMatchObject({
        result: "approved",
        conflicts: 1,
      });
      expect(proxy.approvals()).toBe(2);
    } finally {
      await proxy.close();
    }
    expect(await approvedEver([name])).toContain(name);
  });

  it("--deny-invalid denies the failing kubelet serving CSRs with their reasons; deny needs --reason", async () => {
    await fileCorpus();
    const result = await csrPlugin(["approve-serving", "--all", "--deny-invalid"]);
    expect(result.code).toBe(0);
    for (const [name, expected] of corpus) {
      const csr = await getCsr(name);
      const denied = csr.status?.conditions?.find((c) => c.type === "Denied");
      if (expected.rule === "signer") {
        expect(denied, expected.label).toBeUndefined();
        continue;
      }
      expect(denied?.reason, expected.label).toBe("KubemendDenyInvalid");
      expect(denied?.message, expected.label).toContain(`${expected.rule}: ${expected.message}`);
      expect(denied?.message).toMatch(/^denied by kubernetes-admin with kubectl csr approve-serving: /);
    }
    expect(await approvedEver(corpus.keys())).toEqual([]);

    const clientSigner = [...corpus].find(([, e]) => e.rule === "signer")?.[0] as string;
    const noReason = await csrPlugin(["deny", clientSigner]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/^error: --reason is required\n/);
    const deny = await csrPlugin([
      "deny",
      clientSigner,
      "--reason",
      "a node asking for a client certificate",
    ]);
    expect(deny.stdout).toBe(`certificatesigningrequest.certificates.k8s.io/${clientSigner} denied\n`);
    expect(deny.code).toBe(0);
    const denied = (await getCsr(clientSigner)).status?.conditions?.find((c) => c.type === "Denied");
    expect(denied).toMatchObject({
      reason: "KubemendDeny",
      message: "a node asking for a client certificate (denied by kubernetes-admin with kubectl csr deny)",
    });
    const again = await csrPlugin(["deny", clientSigner, "--reason", "twice"]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe(
      `certificatesigningrequest.certificates.k8s.io/${clientSigner} not denied: already Denied\n`,
    );
  });

  it("deploy/csr-approver: the API server accepts the manifests, and two watch replicas with its ServiceAccount approve a joining node once", async () => {
    await fileCorpus();
    const [superseded] = await fileSuperseding();
    const dir = path.join(REPO, "deploy", "csr-approver");
    expect((await cluster.kubectl(["apply", "-f", path.join(dir, "namespace.yaml")])).code).toBe(0);
    const dryRun = await cluster.kubectl(["apply", "--dry-run=server", "-f", dir]);
    expect(dryRun.stderr).toBe("");
    expect(dryRun.stdout).toContain("deployment.apps/csr-approver created (server dry run)");
    expect(dryRun.stdout).toContain(
      "clusterrole.rbac.authorization.k8s.io/kubemend:csr-approver created (server dry run)",
    );
    expect((await cluster.kubectl(["apply", "-f", path.join(dir, "rbac.yaml")])).code).toBe(0);
    const token = await cluster.kubectl(["create", "token", "csr-approver", "-n", "kubemend-system"]);
    const kubeconfig = path.join(cluster.root, "csr-approver.conf");
    await writeKubeconfig(kubeconfig, {
      server: cluster.server,
      caPem: cluster.pki.ca.certPem,
      user: { token: token.stdout.trim() },
      userName: "csr-approver",
    });

    // The replicas run exactly the shipped container's arguments and environment; the test adds
    // only a faster resync, a lifetime and the ServiceAccount's kubeconfig.
    const deployment = load(readFileSync(path.join(dir, "deployment.yaml"), "utf8")) as {
      spec: {
        template: {
          spec: {
            containers: {
              args: string[];
              env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
            }[];
          };
        };
      };
    };
    const container = deployment.spec.template.spec.containers[0];
    expect(container?.args).toContain("--leader-elect");
    const replica = (name: string) => {
      const fields: Record<string, string> = {
        "metadata.name": name,
        "metadata.namespace": "kubemend-system",
      };
      const env = Object.fromEntries(
        (container?.env ?? []).map((e) => [e.name, fields[e.valueFrom?.fieldRef?.fieldPath ?? ""] ?? ""]),
      );
      return startKubectlPlugin(
        ["csr", ...(container?.args ?? []), "--interval=1s", "--timeout=120s", "--kubeconfig", kubeconfig],
        env,
      );
    };
    const replicas = [replica("replica-a"), replica("replica-b")];
    const joining = await startKubelet(cluster, { index: 4, serving: "serverTLSBootstrap" });
    try {
      const csrName = await vi.waitFor(
        async () => {
          const [name] = await csrsOf(cluster, joining.name, "serving");
          if (!name) throw new Error("the joining kubelet has filed no serving CSR yet");
          return name;
        },
        { timeout: 60_000, interval: 250 },
      );
      const line = `certificatesigningrequest.certificates.k8s.io/${csrName} approved`;
      const pending = `certificatesigningrequest.certificates.k8s.io/${superseded} left pending: superseded by `;
      // Until the leader has approved the joining node's CSR and reported the superseded one, and
      // the other replica has said that it stands by; then both are stopped as a rollout would.
      await vi.waitFor(
        () => {
          const outputs = replicas.map((r) => r.output());
          if (!outputs.some((o) => o.stdout.includes(line) && o.stdout.includes(pending)))
            throw new Error("no replica has approved yet");
          if (!outputs.some((o) => /standing by: replica-[ab] leads/.test(o.stderr)))
            throw new Error("no replica stands by yet");
        },
        { timeout: 90_000, interval: 200 },
      );
      const [a, b] = await Promise.all(replicas.map((r) => r.stop()));
      if (!a || !b) throw new Error("two replicas");
      expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
      const approvers = [a, b].filter((r) => r.stdout.includes(line));
      expect(approvers).toHaveLength(1);
      const leader = approvers[0] === a ? "replica-a" : "replica-b";
      expect(approvers[0]?.stderr).toContain(`leading as ${leader}`);
      expect((approvers[0] === a ? b : a).stderr).toMatch(/standing by: replica-[ab] leads/);
      const approved = (await getCsr(csrName)).status?.conditions?.find((c) => c.type === "Approved");
      expect(approved?.message).toMatch(
        /^approved by system:serviceaccount:kubemend-system:csr-approver with kubectl csr approve-serving; /,
      );
      expect(approvers[0]?.stdout).toContain(pending);
      expect(await approvedEver([superseded])).toEqual([]);
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
      await joining.stop();
    }
    expect(await approvedEver(corpus.keys())).toEqual([]);
  });
});

interface PlanDocument {
  dryRun: string;
  caller: string;
  serviceCidrs: { cidrs: string[]; source: string };
  items: {
    name: string;
    verdict: string;
    supersededBy?: string;
    violations: { rule: string; message: string }[];
    outcome?: { result: string; message: string; serverDryRun?: boolean; conflicts?: number };
  }[];
}

interface Handshake {
  authorized?: boolean;
  error?: string;
  subjectAltName?: string;
}

/** A TLS client that checks the kubelet's certificate as metrics-server does: cluster CA, node IP. */
function handshake(ip: string, options: { ca: string }): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: ip, port: 10250, ca: options.ca }, () => {
      const result = {
        authorized: socket.authorized,
        subjectAltName: socket.getPeerCertificate().subjectaltname,
      };
      socket.destroy();
      resolve(result);
    });
    socket.once("error", (err) => resolve({ error: err.message }));
  });
}

/**
 * A plain-HTTP front for the API server, with the admin's credentials on the upstream side, that
 * runs `race` just before it forwards the first approval: the change lands between the plugin's
 * validation and its write, which is the race under test.
 */
async function racingProxy(cluster: TestCluster, race: () => Promise<void>) {
  const config = load(readFileSync(cluster.adminKubeconfig, "utf8")) as {
    users: { user: Record<string, string> }[];
  };
  const user = config.users[0]?.user ?? {};
  const fromBase64 = (value: string | undefined) => Buffer.from(value ?? "", "base64").toString();
  const upstream = {
    ca: cluster.pki.ca.certPem,
    cert: fromBase64(user["client-certificate-data"]),
    key: fromBase64(user["client-key-data"]),
  };
  let approvals = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      if (req.method === "PUT" && req.url?.includes("/approval") && approvals++ === 0) await race();
      const { host: _local, ...headers } = req.headers;
      const forwarded = https.request(
        new URL(req.url ?? "/", cluster.server),
        { method: req.method, headers, ...upstream },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on("error", () => res.destroy());
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = path.join(cluster.root, `proxy-${port}.conf`);
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      // client-node refuses plain http unless told TLS is off.
      clusters: [
        { name: "proxy", cluster: { server: `http://127.0.0.1:${port}`, "insecure-skip-tls-verify": true } },
      ],
      users: [{ name: "through-proxy", user: {} }],
      contexts: [{ name: "proxy", context: { cluster: "proxy", user: "through-proxy" } }],
      "current-context": "proxy",
    }),
  );
  return {
    kubeconfig,
    approvals: () => approvals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
