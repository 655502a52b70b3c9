// A kubeadm-shaped PKI (/etc/kubernetes/pki and the *.conf kubeconfigs), made with kubemend's own
// x509 code. Names, usages and SANs follow kubeadm's certificate list (phases/certs/certlist.go)
// and pkiutil; the kubeconfig identities follow phases/kubeconfig.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { addressInCidr, formatIp, parseIp } from "@kubemend/lib/x509/ip";
import { createCertificate, generateKey } from "@kubemend/lib/x509/issue";
import type { ExtKeyUsageName } from "@kubemend/lib/x509/oids";
import { load } from "js-yaml";
import { writeKubeconfig } from "./kubeconfig-file.js";

export interface PkiOptions {
  /** Writes root/pki/... and root/*.conf. */
  root: string;
  /** For the kubeconfigs, e.g. "https://127.0.0.1:39001". */
  apiServerUrl: string;
  /** The control-plane node name, e.g. "cp-1". */
  nodeName: string;
  advertiseAddress: string;
  /** Default "10.96.0.0/12": the kubernetes Service IP, its first address, goes into the apiserver SANs. */
  serviceCidr?: string;
  /** Default "cluster.local". */
  clusterDomain?: string;
  /** kubeadm's apiServer.certSANs, e.g. a load-balancer address. */
  extraApiServerSans?: string[];
  /** Scenario S3: SANs to leave out of the apiserver certificate. */
  omitApiServerSans?: string[];
  now?: Date;
  /** Expired or expiring variants. */
  validity?: Partial<Record<PkiCertName, { notBefore?: Date; notAfter?: Date }>>;
  /** Default "rsa-2048", like kubeadm. */
  keyKind?: "rsa-2048" | "ecdsa-p256";
}

type CaName = "ca" | "front-proxy-ca" | "etcd/ca";
type KubeconfigName = "admin.conf" | "super-admin.conf" | "controller-manager.conf" | "scheduler.conf";
type LeafName =
  | "apiserver"
  | "apiserver-kubelet-client"
  | "front-proxy-client"
  | "apiserver-etcd-client"
  | "etcd/server"
  | "etcd/peer"
  | "etcd/healthcheck-client"
  | KubeconfigName;
export type PkiCertName = CaName | LeafName;
/** The certificates kept as pki/<name>.crt and .key files. */
export type PkiFileName = Exclude<PkiCertName, KubeconfigName>;

export interface CaMaterial {
  certPem: string;
  keyPem: string;
}

export interface Pki {
  root: string;
  pkiDir: string;
  apiServerUrl: string;
  /** The kubernetes Service ClusterIP the apiserver certificate covers. */
  serviceIp: string;
  path(name: PkiFileName): { cert: string; key: string };
  kubeconfig: { admin: string; superAdmin: string; controllerManager: string; scheduler: string };
  ca: CaMaterial;
  frontProxyCa: CaMaterial;
  etcdCa: CaMaterial;
  serviceAccount: { key: string; pub: string };
  /** The options the PKI was written with, defaults filled in. */
  options: Readonly<Required<Omit<PkiOptions, "validity">>> & Pick<PkiOptions, "validity">;
}

const MINUTE = 60_000;
const YEAR = 365 * 24 * 60 * MINUTE;
/** kubeadm backdates CAs by 5 minutes (constants.CertificateBackdate); leaves start when their CA does. */
const BACKDATE = 5 * MINUTE;

const CA_COMMON_NAMES: Record<CaName, string> = {
  ca: "kubernetes",
  "front-proxy-ca": "front-proxy-ca",
  "etcd/ca": "etcd-ca",
};

const KUBECONFIG_USERS: Record<KubeconfigName, { key: keyof Pki["kubeconfig"]; cn: string; o?: string[] }> = {
  "admin.conf": { key: "admin", cn: "kubernetes-admin", o: ["kubeadm:cluster-admins"] },
  "super-admin.conf": { key: "superAdmin", cn: "kubernetes-super-admin", o: ["system:masters"] },
  "controller-manager.conf": { key: "controllerManager", cn: "system:kube-controller-manager" },
  "scheduler.conf": { key: "scheduler", cn: "system:kube-scheduler" },
};

interface LeafSpec {
  ca: CaName;
  cn: string;
  o?: string[];
  usages: ExtKeyUsageName[];
  sans?: { dns: string[]; ip: string[] };
}

function leafSpec(name: LeafName, options: Pki["options"], serviceIp: string): LeafSpec {
  const { nodeName, advertiseAddress } = options;
  switch (name) {
    case "apiserver": {
      const sans = altNames(
        [
          nodeName,
          "kubernetes",
          "kubernetes.default",
          "kubernetes.default.svc",
          `kubernetes.default.svc.${options.clusterDomain}`,
        ],
        [serviceIp, advertiseAddress, ...options.extraApiServerSans],
      );
      const omitted = new Set(options.omitApiServerSans.map(canonical));
      return {
        ca: "ca",
        cn: "kube-apiserver",
        usages: ["server auth"],
        sans: { dns: sans.dns.filter((n) => !omitted.has(n)), ip: sans.ip.filter((n) => !omitted.has(n)) },
      };
    }
    case "apiserver-kubelet-client":
      return {
        ca: "ca",
        cn: "kube-apiserver-kubelet-client",
        o: ["kubeadm:cluster-admins"],
        usages: ["client auth"],
      };
    case "front-proxy-client":
      return { ca: "front-proxy-ca", cn: "front-proxy-client", usages: ["client auth"] };
    case "apiserver-etcd-client":
      return { ca: "etcd/ca", cn: "kube-apiserver-etcd-client", usages: ["client auth"] };
    case "etcd/server":
    case "etcd/peer":
      return {
        ca: "etcd/ca",
        cn: nodeName,
        usages: ["server auth", "client auth"],
        sans: altNames([nodeName, "localhost"], [advertiseAddress, "127.0.0.1", "::1"]),
      };
    case "etcd/healthcheck-client":
      return { ca: "etcd/ca", cn: "kube-etcd-healthcheck-client", usages: ["client auth"] };
    default: {
      const user = KUBECONFIG_USERS[name];
      return { ca: "ca", cn: user.cn, ...(user.o && { o: user.o }), usages: ["client auth"] };
    }
  }
}

const canonical = (name: string) => {
  const ip = parseIp(name);
  return ip ? formatIp(ip) : name;
};

/** As kubeadm: names that parse as IPs are IP SANs; DNS names sorted and deduplicated, IPs deduplicated in order. */
function altNames(dns: string[], ips: string[]): { dns: string[]; ip: string[] } {
  const all = [...dns, ...ips].map(canonical);
  const ipSans = all.filter((name) => parseIp(name));
  const dnsSans = all.filter((name) => !parseIp(name));
  return { dns: [...new Set(dnsSans)].sort(), ip: [...new Set(ipSans)] };
}

const CA_NAMES: CaName[] = ["ca", "front-proxy-ca", "etcd/ca"];
const LEAF_NAMES: LeafName[] = [
  "apiserver",
  "apiserver-kubelet-client",
  "front-proxy-client",
  "apiserver-etcd-client",
  "etcd/server",
  "etcd/peer",
  "etcd/healthcheck-client",
  "admin.conf",
  "super-admin.conf",
  "controller-manager.conf",
  "scheduler.conf",
];

function isCa(name: PkiCertName): name is CaName {
  return name in CA_COMMON_NAMES;
}

function isKubeconfig(name: PkiCertName): name is KubeconfigName {
  return name in KUBECONFIG_USERS;
}

export async function writeKubeadmPki(opts: PkiOptions): Promise<Pki> {
  const options: Pki["options"] = {
    ...opts,
    serviceCidr: opts.serviceCidr ?? "10.96.0.0/12",
    clusterDomain: opts.clusterDomain ?? "cluster.local",
    extraApiServerSans: opts.extraApiServerSans ?? [],
    omitApiServerSans: opts.omitApiServerSans ?? [],
    now: opts.now ?? new Date(),
    keyKind: opts.keyKind ?? "rsa-2048",
  };
  const pkiDir = join(opts.root, "pki");
  await mkdir(join(pkiDir, "etcd"), { recursive: true, mode: 0o755 });
  const path = (name: PkiFileName) => ({
    cert: join(pkiDir, `${name}.crt`),
    key: join(pkiDir, `${name}.key`),
  });
  const kubeconfigPath = (name: KubeconfigName) => join(opts.root, name);

  const cas = {} as Record<CaName, CaMaterial>;
  await Promise.all(
    CA_NAMES.map(async (name) => {
      const key = await generateKey(options.keyKind);
      const cn = CA_COMMON_NAMES[name];
      const window = opts.validity?.[name];
      const notAfter = window?.notAfter ?? new Date(options.now.getTime() + 10 * YEAR);
      const notBefore =
        window?.notBefore ??
        new Date(Math.min(options.now.getTime() - BACKDATE, notAfter.getTime() - 10 * YEAR));
      const certPem = await createCertificate({
        subject: { cn },
        sans: { dns: [cn] },
        keyUsages: ["digital signature", "key encipherment", "cert sign"],
        extKeyUsages: [],
        isCA: true,
        notBefore,
        notAfter,
        publicKey: key.privateKey,
      });
      cas[name] = { certPem, keyPem: key.privateKeyPem };
      await writePair(path(name), certPem, key.privateKeyPem);
    }),
  );

  const pki: Pki = {
    root: opts.root,
    pkiDir,
    apiServerUrl: opts.apiServerUrl,
    serviceIp: addressInCidr(options.serviceCidr.split(",")[0] as string, 1),
    path,
    kubeconfig: {
      admin: kubeconfigPath("admin.conf"),
      superAdmin: kubeconfigPath("super-admin.conf"),
      controllerManager: kubeconfigPath("controller-manager.conf"),
      scheduler: kubeconfigPath("scheduler.conf"),
    },
    ca: cas.ca,
    frontProxyCa: cas["front-proxy-ca"],
    etcdCa: cas["etcd/ca"],
    serviceAccount: { key: join(pkiDir, "sa.key"), pub: join(pkiDir, "sa.pub") },
    options,
  };

  await Promise.all([
    ...LEAF_NAMES.map(async (name) => {
      const key = await generateKey(options.keyKind);
      const window = opts.validity?.[name];
      const certPem = await issueLeaf(pki, name, key.privateKeyPem, window);
      await storeLeaf(pki, name, certPem, key.privateKeyPem);
    }),
    (async () => {
      const sa = await generateKey("rsa-2048");
      await writeSecret(pki.serviceAccount.key, sa.privateKeyPem);
      await writePublic(pki.serviceAccount.pub, sa.publicKeyPem);
    })(),
  ]);
  return pki;
}

const caMaterial = (pki: Pki, name: CaName): CaMaterial =>
  name === "ca" ? pki.ca : name === "front-proxy-ca" ? pki.frontProxyCa : pki.etcdCa;

async function issueLeaf(
  pki: Pki,
  name: LeafName,
  keyPem: string,
  window: { notBefore?: Date; notAfter?: Date } | undefined,
  now = pki.options.now,
): Promise<string> {
  const spec = leafSpec(name, pki.options, pki.serviceIp);
  const ca = caMaterial(pki, spec.ca);
  return createCertificate({
    subject: { cn: spec.cn, ...(spec.o && { o: spec.o }) },
    ...(spec.sans && { sans: spec.sans }),
    keyUsages: ["digital signature", "key encipherment"],
    extKeyUsages: spec.usages,
    isCA: false,
    ...validity(ca.certPem, window, now),
    publicKey: createPrivateKey(keyPem),
    signer: { certPem: ca.certPem, key: createPrivateKey(ca.keyPem) },
  });
}

/** kubeadm's leaves start when their CA does and last a year; an early notAfter pulls notBefore back with it. */
function validity(caPem: string, window: { notBefore?: Date; notAfter?: Date } | undefined, now: Date) {
  const caStart = caNotBefore(caPem);
  const notAfter = window?.notAfter ?? new Date(now.getTime() + YEAR);
  const notBefore = window?.notBefore ?? new Date(Math.min(caStart.getTime(), notAfter.getTime() - YEAR));
  return { notBefore, notAfter };
}

function caNotBefore(caPem: string): Date {
  return new X509Certificate(caPem).validFromDate;
}

async function storeLeaf(pki: Pki, name: LeafName, certPem: string, keyPem: string): Promise<void> {
  if (!isKubeconfig(name)) return writePair(pki.path(name), certPem, keyPem);
  const user = KUBECONFIG_USERS[name];
  await writeKubeconfig(pki.kubeconfig[user.key], {
    server: pki.apiServerUrl,
    caPem: pki.ca.certPem,
    user: { certPem, keyPem },
    userName: user.cn,
  });
}

async function writePair(
  paths: { cert: string; key: string },
  certPem: string,
  keyPem: string,
): Promise<void> {
  await writePublic(paths.cert, certPem);
  await writeSecret(paths.key, keyPem);
}

async function writePublic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, { mode: 0o644 });
}

async function writeSecret(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600);
}

interface KubeconfigYaml {
  users: { user: Record<string, string> }[];
}

/**
 * `kubeadm certs renew` for one certificate: the same key and attributes, a new serial and
 * validity, written over the old files. The components keep serving what they loaded (S4).
 */
export async function renewOnDisk(
  pki: Pki,
  name: PkiCertName,
  opts: { notAfter?: Date; now?: Date } = {},
): Promise<void> {
  if (isCa(name)) throw new Error(`kubeadm does not renew CA certificates (${name})`);
  const now = opts.now ?? new Date();
  if (!isKubeconfig(name)) {
    const paths = pki.path(name);
    const certPem = await issueLeaf(pki, name, await readFile(paths.key, "utf8"), opts, now);
    await writePublic(paths.cert, certPem);
    return;
  }
  const file = pki.kubeconfig[KUBECONFIG_USERS[name].key];
  const config = load(await readFile(file, "utf8")) as KubeconfigYaml;
  const user = config.users[0]?.user;
  if (!user?.["client-key-data"]) throw new Error(`${file} has no embedded client key`);
  const keyPem = Buffer.from(user["client-key-data"], "base64").toString();
  await storeLeaf(pki, name, await issueLeaf(pki, name, keyPem, opts, now), keyPem);
}

/** A kubeconfig for any client identity the cluster CA signs (e.g. an expired admin, S4). Returns its path. */
export async function issueClientKubeconfig(
  pki: Pki,
  spec: { path: string; user: string; groups?: string[]; notBefore?: Date; notAfter?: Date; server?: string },
): Promise<string> {
  const key = await generateKey(pki.options.keyKind);
  const certPem = await createCertificate({
    subject: { cn: spec.user, ...(spec.groups && { o: spec.groups }) },
    keyUsages: ["digital signature", "key encipherment"],
    extKeyUsages: ["client auth"],
    isCA: false,
    ...validity(pki.ca.certPem, spec, pki.options.now),
    publicKey: key.publicKey,
    signer: { certPem: pki.ca.certPem, key: createPrivateKey(pki.ca.keyPem) },
  });
  await writeKubeconfig(spec.path, {
    server: spec.server ?? pki.apiServerUrl,
    caPem: pki.ca.certPem,
    user: { certPem, keyPem: key.privateKeyPem },
    userName: spec.user,
  });
  return spec.path;
}
