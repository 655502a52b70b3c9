// The certs role rules (plugins/kubectl-certs/src/checks/node-roles.ts) fed with real cfssl output:
// a PKI made by cfssl and cfssljson the guides' way, one rule at a time.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { CertificateInfo } from "@kubemend/lib/x509/certificate";
import { parseCertificateBundle } from "@kubemend/lib/x509/pem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkNodeRoles } from "../../plugins/kubectl-certs/src/checks/node-roles.js";
import type { CertUse, NodeFacts, UsedCert } from "../../plugins/kubectl-certs/src/model.js";
import { caConfig, cfssl, csr } from "./cfssl.js";

let dir: string;
const chains = new Map<string, CertificateInfo[]>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "kubemend-cfssl-"));
  const tools = await cfssl();
  // Profiles as operators write them: one for servers and clients alike, and two narrower ones.
  const config = caConfig() as { signing: { profiles: Record<string, unknown> } };
  config.signing.profiles.server = {
    usages: ["signing", "key encipherment", "server auth"],
    expiry: "87600h",
  };
  await writeFile(path.join(dir, "ca-config.json"), JSON.stringify(config));
  await tools.initCa(dir, "ca", { ...csr("kubernetes-ca", "k8s"), ca: { expiry: "876000h" } });
  await tools.initCa(dir, "other-ca", { ...csr("other-ca", "k8s"), ca: { expiry: "876000h" } });
  const signer = (profile: string, ca = "ca") => ({
    ca: `${ca}.pem`,
    caKey: `${ca}-key.pem`,
    config: "ca-config.json",
    profile,
  });
  await Promise.all([
    tools.gencert(
      dir,
      "kubernetes",
      csr("kubernetes-master", "k8s", ["127.0.0.1", "10.0.0.1", "kubernetes.default"]),
      signer("kubernetes"),
    ),
    tools.gencert(dir, "etcd-server-only", csr("etcd", "k8s", ["10.0.0.1", "10.0.0.2"]), signer("server")),
    tools.gencert(dir, "etcd-client", csr("apiserver-etcd-client", "k8s", []), signer("client")),
    tools.gencert(dir, "from-other-ca", csr("aggregator", "k8s", []), signer("client", "other-ca")),
  ]);
  for (const name of ["ca", "other-ca", "kubernetes", "etcd-server-only", "etcd-client", "from-other-ca"])
    chains.set(name, parseCertificateBundle(await readFile(path.join(dir, `${name}.pem`))).certificates);
}, 300_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const use = (component: string, setting: string, role: CertUse["role"], peer?: string): CertUse => ({
  component,
  pid: 1,
  setting,
  role,
  ...(peer && { peer }),
  unit: `${component}.service`,
});
const used = (name: string, u: CertUse): UsedCert => ({
  location: `/etc/kubernetes/cert/${name}.pem`,
  use: u,
  chain: chains.get(name) ?? [],
});
const facts = (f: Partial<NodeFacts>): NodeFacts => ({
  node: "m1",
  components: ["kube-apiserver (pid 1, kube-apiserver.service)"],
  serving: [],
  presented: [],
  trust: [],
  dialed: [],
  ...f,
});
const problems = (f: NodeFacts) =>
  checkNodeRoles(f)
    .filter((x) => x.code !== "NODE_COMPONENTS")
    .map((x) => [x.code, x.severity, x.message]);

describe("a serving certificate covers the addresses it is reached at", () => {
  it("is silent when every address is covered, and names each missing one with the setting that uses it", () => {
    const apiserver = used("kubernetes", use("kube-apiserver", "--tls-cert-file", "serving", "clients"));
    expect(
      problems(
        facts({
          serving: [{ ...apiserver, reachedAt: [{ address: "10.0.0.1", from: "--advertise-address" }] }],
        }),
      ),
    ).toEqual([]);
    const f = facts({
      serving: [
        {
          ...apiserver,
          reachedAt: [
            { address: "10.0.0.1", from: "--advertise-address" },
            { address: "10.64.0.1", from: "--service-cluster-ip-range" },
            { address: "lb.example", from: "kube-scheduler --kubeconfig" },
          ],
        },
      ],
    });
    expect(problems(f)).toEqual([
      [
        "SAN_MISSING",
        "critical",
        "/etc/kubernetes/cert/kubernetes.pem (kube-apiserver --tls-cert-file) does not cover 10.64.0.1 (--service-cluster-ip-range), lb.example (kube-scheduler --kubeconfig): clients that connect there fail to verify it",
      ],
    ]);
    expect(checkNodeRoles(f)[1]?.next).toBe(
      'add 10.64.0.1, lb.example to "hosts" in kubernetes-csr.json, reissue it from its CA as it was made (cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=kubernetes kubernetes-csr.json | cfssljson -bare kubernetes), copy it to /etc/kubernetes/cert/kubernetes.pem on every node that uses it, then systemctl restart kube-apiserver.service',
    );
  });
});

describe("a certificate carries the extended key usages of its role", () => {
  it("a client certificate needs clientAuth; a serving one serverAuth; an etcd peer certificate both", () => {
    const f = facts({
      presented: [
        used("etcd-client", use("kube-apiserver", "--etcd-certfile", "client", "etcd")),
        used("kubernetes", use("kube-apiserver", "--tls-cert-file", "serving", "clients")),
        used("etcd-server-only", use("etcd", "--cert-file", "serving", "clients")),
        used("etcd-server-only", use("etcd", "ETCD_PEER_CERT_FILE", "peer", "etcd")),
        used("etcd-client", use("etcd", "--cert-file", "serving", "clients")),
        used("etcd-server-only", use("kube-apiserver", "--etcd-certfile", "client", "etcd")),
      ],
    });
    expect(problems(f)).toEqual([
      [
        "CERT_USAGE_MISSING",
        "critical",
        "/etc/kubernetes/cert/etcd-server-only.pem is used as etcd's peer certificate (etcd ETCD_PEER_CERT_FILE) but lacks client auth",
      ],
      [
        "CERT_USAGE_MISSING",
        "critical",
        "/etc/kubernetes/cert/etcd-client.pem is used as a serving certificate (etcd --cert-file) but lacks server auth",
      ],
      [
        "CERT_USAGE_MISSING",
        "critical",
        "/etc/kubernetes/cert/etcd-server-only.pem is used as a client certificate (kube-apiserver --etcd-certfile) but lacks client auth",
      ],
    ]);
  });
});

describe("a certificate presented to another component chains to a CA that component trusts", () => {
  it("is silent for a certificate from the trusted CA, or the CA itself; names both sides otherwise", () => {
    const trustedBy = (ca: string) => ({
      location: `/etc/kubernetes/cert/${ca}.pem`,
      use: use("kubelet", "config authentication.x509.clientCAFile", "ca", "clients"),
      cas: chains.get(ca) ?? [],
    });
    const presented = used(
      "from-other-ca",
      use("kube-apiserver", "--kubelet-client-certificate", "client", "kubelet"),
    );
    const good = used(
      "etcd-client",
      use("kube-apiserver", "--kubelet-client-certificate", "client", "kubelet"),
    );
    expect(problems(facts({ trust: [{ presented: good, trustedBy: trustedBy("ca") }] }))).toEqual([]);
    expect(problems(facts({ trust: [{ presented, trustedBy: trustedBy("other-ca") }] }))).toEqual([]);
    expect(problems(facts({ trust: [{ presented, trustedBy: trustedBy("ca") }] }))).toEqual([
      [
        "TRUST_MISMATCH",
        "critical",
        '/etc/kubernetes/cert/from-other-ca.pem (kube-apiserver --kubelet-client-certificate) is issued by "CN=other-ca,OU=kubemend,O=k8s,L=BeiJing,ST=BeiJing,C=CN", which /etc/kubernetes/cert/ca.pem (kubelet config authentication.x509.clientCAFile) does not hold: kubelet refuses it',
      ],
    ]);
  });
});

describe("what was read", () => {
  it("names the processes and how each runs, as a note", () => {
    const [note] = checkNodeRoles(facts({}));
    expect(note).toMatchObject({
      code: "NODE_COMPONENTS",
      severity: "info",
      subject: { kind: "Node", name: "m1" },
      message: "read the certificates of kube-apiserver (pid 1, kube-apiserver.service)",
    });
  });
});
