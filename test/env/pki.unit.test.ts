import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Scratch, scratch } from "@kubemend/lib/x509/testdata/openssl";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueClientKubeconfig, type Pki, renewOnDisk, writeKubeadmPki } from "./pki.js";

const MINUTE = 60_000;
const YEAR = 365 * 24 * 60 * MINUTE;
const now = new Date(Math.floor(Date.now() / 1000) * 1000);

let tmp: Scratch;
let pki: Pki;

beforeAll(async () => {
  tmp = scratch();
  pki = await writeKubeadmPki({
    root: join(tmp.dir, "default"),
    apiServerUrl: "https://127.0.0.1:39001",
    nodeName: "cp-1",
    advertiseAddress: "127.0.0.1",
    extraApiServerSans: ["10.2.1.139", "lb.example.com"],
    now,
  });
});

afterAll(() => tmp.remove());

interface View {
  subject: string;
  issuer: string;
  keyUsage: string;
  extKeyUsage: string | undefined;
  basicConstraints: string;
  san: string | undefined;
  notBefore: Date;
  notAfter: Date;
  serial: string;
}

/** What openssl sees in a certificate. */
function view(certFile: string): View {
  const out = tmp.openssl(
    ...[
      "x509",
      "-in",
      certFile,
      "-noout",
      "-subject",
      "-issuer",
      "-nameopt",
      "RFC2253",
      "-startdate",
      "-enddate",
      "-serial",
    ],
    ...["-ext", "subjectAltName,keyUsage,extendedKeyUsage,basicConstraints"],
  );
  const line = (prefix: string) =>
    out
      .split("\n")
      .find((l) => l.startsWith(prefix))
      ?.slice(prefix.length);
  const ext = (header: string) => {
    const lines = out.split("\n");
    const at = lines.findIndex((l) => l.startsWith(header));
    return at === -1 ? undefined : lines[at + 1]?.trim();
  };
  return {
    subject: line("subject=") ?? "",
    issuer: line("issuer=") ?? "",
    keyUsage: `${ext("X509v3 Key Usage: critical")}`,
    extKeyUsage: ext("X509v3 Extended Key Usage"),
    basicConstraints: `${ext("X509v3 Basic Constraints: critical")}`,
    san: ext("X509v3 Subject Alternative Name"),
    notBefore: new Date(line("notBefore=") ?? ""),
    notAfter: new Date(line("notAfter=") ?? ""),
    serial: line("serial=") ?? "",
  };
}

function verify(caFile: string, certFile: string): string {
  try {
    return execFileSync("openssl", ["verify", "-CAfile", caFile, certFile], {
      encoding: "utf8",
      stdio: "pipe",
    }).trim();
  } catch (error) {
    return `FAILED: ${(error as { stdout?: string; stderr?: string }).stdout}${(error as { stderr?: string }).stderr}`;
  }
}

const publicKeyOf = (certFile: string) => tmp.openssl("x509", "-in", certFile, "-noout", "-pubkey");
const publicKeyOfKey = (keyFile: string) => tmp.openssl("pkey", "-in", keyFile, "-pubout");

interface Kubeconfig {
  clusters: { name: string; cluster: { server: string; "certificate-authority-data": string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  "current-context": string;
  users: { name: string; user: { "client-certificate-data": string; "client-key-data": string } }[];
}

/** Loads a kubeconfig and unpacks its embedded certificate and key into files openssl can read. */
function unpack(path: string) {
  const config = load(readFileSync(path, "utf8")) as Kubeconfig;
  const user = config.users[0]?.user;
  const name = path.replaceAll("/", "_");
  return {
    config,
    cert: tmp.write(`${name}.crt`, Buffer.from(user?.["client-certificate-data"] ?? "", "base64")),
    key: tmp.write(`${name}.key`, Buffer.from(user?.["client-key-data"] ?? "", "base64")),
    ca: tmp.write(
      `${name}.ca`,
      Buffer.from(config.clusters[0]?.cluster["certificate-authority-data"] ?? "", "base64"),
    ),
  };
}

const LEAF_KU = "Digital Signature, Key Encipherment";
const CA_KU = "Digital Signature, Key Encipherment, Certificate Sign";
const SERVER = "TLS Web Server Authentication";
const CLIENT = "TLS Web Client Authentication";
const BOTH = `${SERVER}, ${CLIENT}`;
const ETCD_SANS = "DNS:cp-1, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1";

// kubeadm's table (phases/certs/certlist.go), written out independently of pki.ts.
const FILES = [
  {
    name: "ca",
    ca: "ca",
    subject: "CN=kubernetes",
    ku: CA_KU,
    eku: undefined,
    san: "DNS:kubernetes",
    isCA: true,
  },
  {
    name: "apiserver",
    ca: "ca",
    subject: "CN=kube-apiserver",
    ku: LEAF_KU,
    eku: SERVER,
    san:
      "DNS:cp-1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, " +
      "DNS:lb.example.com, IP Address:10.96.0.1, IP Address:127.0.0.1, IP Address:10.2.1.139",
  },
  {
    name: "apiserver-kubelet-client",
    ca: "ca",
    subject: "CN=kube-apiserver-kubelet-client,O=kubeadm:cluster-admins",
    ku: LEAF_KU,
    eku: CLIENT,
  },
  {
    name: "front-proxy-ca",
    ca: "front-proxy-ca",
    subject: "CN=front-proxy-ca",
    ku: CA_KU,
    eku: undefined,
    san: "DNS:front-proxy-ca",
    isCA: true,
  },
  {
    name: "front-proxy-client",
    ca: "front-proxy-ca",
    subject: "CN=front-proxy-client",
    ku: LEAF_KU,
    eku: CLIENT,
  },
  {
    name: "etcd/ca",
    ca: "etcd/ca",
    subject: "CN=etcd-ca",
    ku: CA_KU,
    eku: undefined,
    san: "DNS:etcd-ca",
    isCA: true,
  },
  { name: "etcd/server", ca: "etcd/ca", subject: "CN=cp-1", ku: LEAF_KU, eku: BOTH, san: ETCD_SANS },
  { name: "etcd/peer", ca: "etcd/ca", subject: "CN=cp-1", ku: LEAF_KU, eku: BOTH, san: ETCD_SANS },
  {
    name: "etcd/healthcheck-client",
    ca: "etcd/ca",
    subject: "CN=kube-etcd-healthcheck-client",
    ku: LEAF_KU,
    eku: CLIENT,
  },
  {
    name: "apiserver-etcd-client",
    ca: "etcd/ca",
    subject: "CN=kube-apiserver-etcd-client",
    ku: LEAF_KU,
    eku: CLIENT,
  },
] as const;

const KUBECONFIGS = [
  { file: "admin.conf", user: "kubernetes-admin", subject: "CN=kubernetes-admin,O=kubeadm:cluster-admins" },
  {
    file: "super-admin.conf",
    user: "kubernetes-super-admin",
    subject: "CN=kubernetes-super-admin,O=system:masters",
  },
  {
    file: "controller-manager.conf",
    user: "system:kube-controller-manager",
    subject: "CN=system:kube-controller-manager",
  },
  { file: "scheduler.conf", user: "system:kube-scheduler", subject: "CN=system:kube-scheduler" },
] as const;

describe("writeKubeadmPki", () => {
  it.each(FILES)("$name has kubeadm's subject, usages and SANs, and verifies against $ca", (row) => {
    const paths = pki.path(row.name);
    const seen = view(paths.cert);
    const caPaths = pki.path(row.ca);
    expect(seen.subject).toBe(row.subject);
    expect(seen.issuer).toBe(view(caPaths.cert).subject);
    expect(seen.keyUsage).toBe(row.ku);
    expect(seen.extKeyUsage).toBe(row.eku);
    expect(seen.basicConstraints).toBe("isCA" in row ? "CA:TRUE" : "CA:FALSE");
    expect(seen.san).toBe("san" in row ? row.san : undefined);
    expect(verify(caPaths.cert, paths.cert)).toBe(`${paths.cert}: OK`);
  });

  it.each(FILES)("$name: key file is 0600, parses, and matches the certificate", (row) => {
    const paths = pki.path(row.name);
    expect(statSync(paths.key).mode & 0o777).toBe(0o600);
    expect(statSync(paths.cert).mode & 0o777).toBe(0o644);
    expect(readFileSync(paths.key, "utf8")).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(publicKeyOfKey(paths.key)).toBe(publicKeyOf(paths.cert));
  });

  it("dates certificates as kubeadm: CAs for 10 years, leaves for 1, all from 5 minutes ago", () => {
    const start = new Date(now.getTime() - 5 * MINUTE);
    for (const row of FILES) {
      const seen = view(pki.path(row.name).cert);
      expect(seen.notBefore).toEqual(start);
      expect(seen.notAfter).toEqual(new Date(now.getTime() + ("isCA" in row ? 10 : 1) * YEAR));
    }
  });

  it("writes the service-account key pair", () => {
    expect(statSync(pki.serviceAccount.key).mode & 0o777).toBe(0o600);
    expect(readFileSync(pki.serviceAccount.key, "utf8")).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(publicKeyOfKey(pki.serviceAccount.key)).toBe(readFileSync(pki.serviceAccount.pub, "utf8"));
    expect(tmp.openssl("pkey", "-pubin", "-in", pki.serviceAccount.pub, "-noout", "-text")).toMatch(
      /Public-Key: \(2048 bit\)/,
    );
  });

  it.each(KUBECONFIGS)("$file embeds a $user client certificate from the cluster CA", (row) => {
    const path = join(pki.root, row.file);
    expect(path).toBe(Object.values(pki.kubeconfig).find((p) => p.endsWith(`/${row.file}`)));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const { config, cert, key, ca } = unpack(path);
    expect(config.clusters).toEqual([
      {
        name: "kubernetes",
        cluster: { server: "https://127.0.0.1:39001", "certificate-authority-data": expect.any(String) },
      },
    ]);
    expect(readFileSync(ca, "utf8")).toBe(readFileSync(pki.path("ca").cert, "utf8"));
    expect(config.contexts).toEqual([
      { name: `${row.user}@kubernetes`, context: { cluster: "kubernetes", user: row.user } },
    ]);
    expect(config["current-context"]).toBe(`${row.user}@kubernetes`);
    expect(config.users[0]?.name).toBe(row.user);
    const seen = view(cert);
    expect(seen.subject).toBe(row.subject);
    expect(seen.extKeyUsage).toBe(CLIENT);
    expect(seen.keyUsage).toBe(LEAF_KU);
    expect(verify(pki.path("ca").cert, cert)).toBe(`${cert}: OK`);
    expect(publicKeyOfKey(key)).toBe(publicKeyOf(cert));
  });

  it("exposes the CAs and the Service IP", () => {
    expect(pki.ca.certPem).toBe(readFileSync(pki.path("ca").cert, "utf8"));
    expect(pki.etcdCa.keyPem).toBe(readFileSync(pki.path("etcd/ca").key, "utf8"));
    expect(pki.frontProxyCa.certPem).toBe(readFileSync(pki.path("front-proxy-ca").cert, "utf8"));
    expect(pki.serviceIp).toBe("10.96.0.1");
  });
});

describe("variants", () => {
  let variant: Pki;
  const expired = new Date(Math.floor((Date.now() - 24 * 60 * MINUTE) / 1000) * 1000);

  beforeAll(async () => {
    variant = await writeKubeadmPki({
      root: join(tmp.dir, "variant"),
      apiServerUrl: "https://10.2.1.139:6443",
      nodeName: "cp-1",
      advertiseAddress: "10.2.1.151",
      serviceCidr: "10.64.0.0/12",
      clusterDomain: "corp.local",
      omitApiServerSans: ["kubernetes.default.svc.corp.local", "10.2.1.151"],
      validity: { apiserver: { notAfter: expired }, "admin.conf": { notAfter: expired } },
      keyKind: "ecdsa-p256",
    });
  });

  it("follows the service CIDR and cluster domain, and leaves out omitted SANs (S3, S6)", () => {
    expect(variant.serviceIp).toBe("10.64.0.1");
    expect(view(variant.path("apiserver").cert).san).toBe(
      "DNS:cp-1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, IP Address:10.64.0.1",
    );
    expect(view(variant.path("etcd/server").cert).san).toBe(
      "DNS:cp-1, DNS:localhost, IP Address:10.2.1.151, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1",
    );
  });

  it("makes ECDSA keys on request", () => {
    expect(readFileSync(variant.path("apiserver").key, "utf8")).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(tmp.openssl("x509", "-in", variant.path("ca").cert, "-noout", "-text")).toContain(
      "ASN1 OID: prime256v1",
    );
  });

  it("writes expired certificates that openssl rejects as expired (S4)", () => {
    const apiserver = variant.path("apiserver").cert;
    expect(view(apiserver).notAfter).toEqual(expired);
    expect(view(apiserver).notBefore.getTime()).toBeLessThan(expired.getTime());
    expect(verify(variant.path("ca").cert, apiserver)).toMatch(/^FAILED:.*certificate has expired/s);
    const admin = unpack(variant.kubeconfig.admin);
    expect(view(admin.cert).notAfter).toEqual(expired);
    expect(verify(variant.path("ca").cert, admin.cert)).toMatch(/certificate has expired/);
    expect(verify(variant.path("ca").cert, variant.path("front-proxy-client").cert)).toMatch(/FAILED/);
    expect(verify(variant.path("front-proxy-ca").cert, variant.path("front-proxy-client").cert)).toMatch(
      /: OK$/,
    );
  });

  it("renews on disk with the same key, a new serial and a new validity (S4)", async () => {
    const paths = variant.path("apiserver");
    const before = view(paths.cert);
    const keyBefore = readFileSync(paths.key, "utf8");
    const notAfter = new Date(Math.floor((Date.now() + 2 * YEAR) / 1000) * 1000);
    await renewOnDisk(variant, "apiserver", { notAfter });
    const after = view(paths.cert);
    expect(after.serial).not.toBe(before.serial);
    expect(after.notAfter).toEqual(notAfter);
    expect(after.san).toBe(before.san);
    expect(after.subject).toBe(before.subject);
    expect(readFileSync(paths.key, "utf8")).toBe(keyBefore);
    expect(publicKeyOfKey(paths.key)).toBe(publicKeyOf(paths.cert));
    expect(verify(variant.path("ca").cert, paths.cert)).toBe(`${paths.cert}: OK`);
  });

  it("renews a kubeconfig's client certificate in place, keeping its key", async () => {
    const before = unpack(variant.kubeconfig.admin);
    const serialBefore = view(before.cert).serial;
    const keyBefore = readFileSync(before.key, "utf8");
    await renewOnDisk(variant, "admin.conf");
    const after = unpack(variant.kubeconfig.admin);
    expect(view(after.cert).serial).not.toBe(serialBefore);
    expect(view(after.cert).notAfter.getTime()).toBeGreaterThan(Date.now() + YEAR - 60 * MINUTE);
    expect(readFileSync(after.key, "utf8")).toBe(keyBefore);
    expect(verify(variant.path("ca").cert, after.cert)).toMatch(/: OK$/);
  });

  it("refuses to renew a CA, as kubeadm does", async () => {
    await expect(renewOnDisk(variant, "etcd/ca")).rejects.toThrow("kubeadm does not renew CA certificates");
  });

  it("issues extra client kubeconfigs, expired ones included", async () => {
    const path = await issueClientKubeconfig(variant, {
      path: join(tmp.dir, "old-admin.conf"),
      user: "kubernetes-admin",
      groups: ["kubeadm:cluster-admins"],
      notAfter: expired,
    });
    const { config, cert } = unpack(path);
    expect(config.clusters[0]?.cluster.server).toBe("https://10.2.1.139:6443");
    expect(view(cert).subject).toBe("CN=kubernetes-admin,O=kubeadm:cluster-admins");
    expect(view(cert).notAfter).toEqual(expired);
    expect(verify(variant.path("ca").cert, cert)).toMatch(/certificate has expired/);
  });
});
