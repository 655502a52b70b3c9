import { type Dirent, existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { CertificateInfo } from "@kubemend/lib/x509/certificate";
import { load } from "js-yaml";
import { KUBEADM_CAS, KUBEADM_KUBECONFIGS, KUBEADM_LEAVES, type KubeadmCa } from "../kubeadm.js";
import type { CertBundle, FoundCert } from "../model.js";
import { certsFromBundle, decodeBase64, fileOfLocation, keyMatchesChain } from "./bundle.js";
import type { Source } from "./context.js";
import { probeLocalEtcd } from "./local-etcd.js";

/** The kubelet's own files under /var/lib/kubelet/pki (client rotation, serving certificate). */
const KUBELET_FILES = ["kubelet-client-current.pem", "kubelet-server-current.pem", "kubelet.crt"];

/** The files a component presents in its TLS handshakes, for served-versus-on-disk drift. */
const SERVING_FILES: Record<string, string> = {
  "apiserver.crt": "kube-apiserver",
  "etcd/server.crt": "etcd",
};

/**
 * A control-plane node's files, as `kubeadm certs check-expiration` reads them, plus the kubelet's
 * own certificates. Private keys are read only to check that they match, never kept.
 */
export const pkiSource: Source = async (ctx) => {
  const { pkiDir, kubeconfigDir, kubeletPkiDir } = ctx.options;
  if (!existsSync(pkiDir)) {
    if (!ctx.explicit) return { skipped: true };
    return {
      warnings: [
        {
          source: "pki",
          message: `--pki-dir ${pkiDir} does not exist`,
          hint: "run on a control-plane node, or pass --pki-dir",
        },
      ],
    };
  }
  const certs: FoundCert[] = [];
  const bundles: CertBundle[] = [];
  const cas = new Map<KubeadmCa, CertificateInfo[]>();

  for (const [name, profile] of Object.entries(KUBEADM_CAS) as [
    KubeadmCa,
    (typeof KUBEADM_CAS)[KubeadmCa],
  ][]) {
    const file = path.join(pkiDir, profile.file);
    const found = readCertFile(file, profile.file, "trust");
    certs.push(...found);
    cas.set(
      name,
      found.flatMap((c) => c.cert ?? []),
    );
  }
  const addBundle = (
    file: string,
    found: FoundCert[],
    trust: CertificateInfo[] | undefined,
    keyPem?: string,
  ) => {
    const chain = found.flatMap((c) => c.cert ?? []);
    if (chain.length > 0)
      bundles.push({
        source: "pki",
        holder: { file },
        location: file,
        chain,
        trust,
        ...(keyPem !== undefined && { keyMatches: keyMatchesChain(keyPem, chain) }),
      });
  };
  for (const profile of KUBEADM_LEAVES) {
    const file = path.join(pkiDir, profile.file);
    const found = readCertFile(file, profile.file, "leaf", SERVING_FILES[profile.file]);
    certs.push(...found);
    const keyFile = file.replace(/\.crt$/, ".key");
    addBundle(
      file,
      found,
      profile.ca && cas.get(profile.ca),
      existsSync(keyFile) ? readFileSync(keyFile, "utf8") : undefined,
    );
  }
  for (const profile of KUBEADM_KUBECONFIGS) {
    const file = path.join(kubeconfigDir, profile.file);
    if (!existsSync(file)) continue;
    const { found, keyPem } = kubeconfigClientCert(file, profile.file);
    certs.push(...found);
    addBundle(file, found, cas.get("ca"), keyPem);
  }
  // The kubelet serves kubelet-server-current.pem once serverTLSBootstrap is on, else kubelet.crt.
  const kubeletServing = KUBELET_FILES.slice(1).find((name) => existsSync(path.join(kubeletPkiDir, name)));
  for (const name of KUBELET_FILES) {
    const file = path.join(kubeletPkiDir, name);
    if (!existsSync(file)) continue;
    const found = readCertFile(file, undefined, "leaf", name === kubeletServing ? "kubelet" : undefined);
    certs.push(...found);
    addBundle(file, found, cas.get("ca"), kubeletKey(file));
  }
  // Certificates under any other name: a binary install's cfssl files (ca.pem, kubernetes.pem
  // with kubernetes-key.pem), or whatever else a person put there.
  const read = new Set(certs.map((c) => fileOfLocation(c.location)));
  for (const file of otherCertFiles(pkiDir, read)) {
    const found = readCertFile(file, undefined, "leaf");
    const first = found[0]?.cert;
    if (first?.isCA) {
      for (const c of found) c.role = "trust";
      certs.push(...found);
      continue;
    }
    certs.push(...found);
    const keyFile = keyFileOf(file);
    addBundle(file, found, undefined, keyFile ? readFileSync(keyFile, "utf8") : undefined);
  }
  const etcdServer = certs.find((c) => c.kubeadmName === "etcd/server.crt" && c.cert);
  certs.push(...(await probeLocalEtcd(pkiDir, etcdServer, ctx.options.probeTimeoutMs)));
  return { certs, bundles, clusterCas: cas.get("ca") ?? [] };
};

/** Files that may hold certificates (.pem, .crt, .cert), keys excluded, at most three levels down. */
function otherCertFiles(dir: string, skip: ReadonlySet<string>): string[] {
  const files: string[] = [];
  const walk = (at: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const file = path.join(at, entry.name);
      if (entry.isDirectory() && depth < 3) walk(file, depth + 1);
      else if (
        entry.isFile() &&
        /\.(pem|crt|cert)$/.test(entry.name) &&
        !isKeyName(entry.name) &&
        !skip.has(file)
      )
        files.push(file);
    }
  };
  walk(dir, 1);
  return files;
}

const isKeyName = (name: string) => /[-_.]key\.pem$|\.key$/.test(name);

/** The key beside a certificate, in cfssl's naming (x-key.pem) or openssl's (x.key). */
function keyFileOf(file: string): string | undefined {
  const candidates = file.endsWith(".pem")
    ? [file.replace(/\.pem$/, "-key.pem"), file.replace(/\.pem$/, ".key")]
    : [file.replace(/\.(crt|cert)$/, ".key")];
  return candidates.find((c) => existsSync(c));
}

/**
 * The key of a kubelet file: kubelet.key beside the legacy kubelet.crt; the rotated
 * kubelet-*-current.pem files hold their key after the certificate.
 */
function kubeletKey(file: string): string | undefined {
  const keyFile = file.endsWith(".crt") ? file.replace(/\.crt$/, ".key") : file;
  try {
    return /-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]+-----END [A-Z ]*PRIVATE KEY-----/.exec(
      readFileSync(keyFile, "utf8"),
    )?.[0];
  } catch {
    return undefined;
  }
}

function readCertFile(
  file: string,
  kubeadmName: string | undefined,
  role: FoundCert["role"],
  serves?: string,
): FoundCert[] {
  const origin = {
    source: "pki" as const,
    location: file,
    holder: { file },
    role,
    kubeadmName,
    ...(serves && { serves }),
  };
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Not every node has every file (external etcd, joined control-plane nodes).
    return code === "ENOENT" ? [] : [{ ...origin, problem: `cannot read (${code})` }];
  }
  return certsFromBundle(content, origin);
}

interface KubeconfigUser {
  "client-certificate-data"?: string;
  "client-certificate"?: string;
  "client-key-data"?: string;
  "client-key"?: string;
}

/** The client certificate of a kubeadm kubeconfig (embedded, or a file such as kubelet.conf's). */
function kubeconfigClientCert(file: string, kubeadmName: string): { found: FoundCert[]; keyPem?: string } {
  const origin = {
    source: "pki" as const,
    location: file,
    holder: { file },
    role: "leaf" as const,
    kubeadmName,
  };
  let user: KubeconfigUser | undefined;
  try {
    const doc = load(readFileSync(file, "utf8")) as { users?: { user?: KubeconfigUser }[] } | undefined;
    user = doc?.users?.[0]?.user;
  } catch {
    return { found: [{ ...origin, problem: "not a valid kubeconfig" }] };
  }
  const dir = path.dirname(file);
  const read = (data: string | undefined, ref: string | undefined): Buffer | undefined => {
    if (data) return decodeBase64(data) ?? Buffer.alloc(0);
    if (!ref) return undefined;
    try {
      return readFileSync(path.resolve(dir, ref));
    } catch {
      return undefined;
    }
  };
  const cert = read(user?.["client-certificate-data"], user?.["client-certificate"]);
  if (!cert) return { found: [{ ...origin, problem: "has no client certificate" }] };
  const key = read(user?.["client-key-data"], user?.["client-key"]);
  return { found: certsFromBundle(cert, origin), keyPem: key?.toString("utf8") };
}
