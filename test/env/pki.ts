// The PKI that the real kubeadm wrote for a test cluster (<root>/pki and <root>/*.conf), read back
// for the tests: file paths, and the CAs' material for the few identities a scenario needs that
// kubeadm has no command for (an extra admin behind a load balancer, an expired client).
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createCertificate, generateKey } from "@kubemend/lib/x509/issue";
import { writeKubeconfig } from "./kubeconfig-file.js";

export type CaName = "ca" | "front-proxy-ca" | "etcd/ca";
/** The certificates kubeadm keeps as pki/<name>.crt and .key files. */
export type PkiFileName =
  | CaName
  | "apiserver"
  | "apiserver-kubelet-client"
  | "front-proxy-client"
  | "apiserver-etcd-client"
  | "etcd/server"
  | "etcd/peer"
  | "etcd/healthcheck-client";

export interface CaMaterial {
  certPem: string;
  keyPem: string;
}

export interface Pki {
  /** The node's /etc/kubernetes. */
  root: string;
  pkiDir: string;
  apiServerUrl: string;
  path(name: PkiFileName): { cert: string; key: string };
  kubeconfig: {
    admin: string;
    superAdmin: string;
    controllerManager: string;
    scheduler: string;
    kubelet: string;
  };
  ca: CaMaterial;
  frontProxyCa: CaMaterial;
  etcdCa: CaMaterial;
}

/** Reads the PKI kubeadm wrote under root (certificatesDir <root>/pki, kubeconfigs in <root>). */
export function loadPki(root: string, apiServerUrl: string): Pki {
  const pkiDir = join(root, "pki");
  const path = (name: PkiFileName) => ({
    cert: join(pkiDir, `${name}.crt`),
    key: join(pkiDir, `${name}.key`),
  });
  const ca = (name: CaName): CaMaterial => ({
    certPem: readFileSync(path(name).cert, "utf8"),
    keyPem: readFileSync(path(name).key, "utf8"),
  });
  return {
    root,
    pkiDir,
    apiServerUrl,
    path,
    kubeconfig: {
      admin: join(root, "admin.conf"),
      superAdmin: join(root, "super-admin.conf"),
      controllerManager: join(root, "controller-manager.conf"),
      scheduler: join(root, "scheduler.conf"),
      kubelet: join(root, "kubelet.conf"),
    },
    ca: ca("ca"),
    frontProxyCa: ca("front-proxy-ca"),
    etcdCa: ca("etcd/ca"),
  };
}

const YEAR = 365 * 86_400_000;

/**
 * A kubeconfig for a client identity signed by kubeadm's cluster CA, for what `kubeadm kubeconfig
 * user` cannot make: a backdated or expired certificate (S4), or another server address (S3).
 * Like kubeadm's, it starts when its CA does and lasts a year unless told otherwise. Returns its path.
 */
export async function issueClientKubeconfig(
  pki: Pki,
  spec: { path: string; user: string; groups?: string[]; notBefore?: Date; notAfter?: Date; server?: string },
): Promise<string> {
  const key = await generateKey("rsa-2048");
  const caStart = new X509Certificate(pki.ca.certPem).validFromDate;
  const notAfter = spec.notAfter ?? new Date(Date.now() + YEAR);
  const notBefore = spec.notBefore ?? new Date(Math.min(caStart.getTime(), notAfter.getTime() - YEAR));
  const certPem = await createCertificate({
    subject: { cn: spec.user, ...(spec.groups && { o: spec.groups }) },
    keyUsages: ["digital signature", "key encipherment"],
    extKeyUsages: ["client auth"],
    isCA: false,
    notBefore,
    notAfter,
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
