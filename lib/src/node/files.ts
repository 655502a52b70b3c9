// Every certificate, key and CA file the node's components use, each with its role taken from the
// setting that names it: --tls-cert-file of kube-apiserver is its serving certificate,
// --etcd-certfile a client certificate for etcd, --peer-cert-file both server and client.
import path from "node:path";
import type { NodeComponent } from "./discover.js";
import type { Component } from "./processes.js";

/**
 * serving: presented to clients; client: presented to `peer`; peer: etcd's peer certificate, both;
 * ca: trusted to verify `peer` (or clients, with no peer); signer: a CA whose key signs;
 * sa-public/sa-private: service-account token keys.
 */
export type FileRole = "serving" | "client" | "peer" | "ca" | "signer" | "sa-public" | "sa-private";

export interface FileUse {
  component: Component;
  pid?: number;
  /** The setting that names the file: "--etcd-certfile", "ETCD_CERT_FILE", "config tlsCertFile". */
  setting: string;
  /** As the component names it. */
  path: string;
  /** Where this machine reads it (through /proc/<pid>/root). */
  hostPath: string;
  role: FileRole;
  /** Whom the certificate is presented to, or whose certificates the CA verifies. */
  peer?: "etcd" | "kubelet" | "kube-apiserver" | "extension-apiserver" | "clients";
  /** The private key's path, for a certificate. */
  key?: { setting: string; path: string; hostPath: string };
}

interface Spec {
  role: FileRole;
  peer?: FileUse["peer"];
  key?: string;
}

/** The flags (or etcd settings) that name files, per component. */
const FILE_FLAGS: Partial<Record<Component, Record<string, Spec>>> = {
  "kube-apiserver": {
    "tls-cert-file": { role: "serving", peer: "clients", key: "tls-private-key-file" },
    "client-ca-file": { role: "ca", peer: "clients" },
    "etcd-certfile": { role: "client", peer: "etcd", key: "etcd-keyfile" },
    "etcd-cafile": { role: "ca", peer: "etcd" },
    "kubelet-client-certificate": { role: "client", peer: "kubelet", key: "kubelet-client-key" },
    "kubelet-certificate-authority": { role: "ca", peer: "kubelet" },
    "proxy-client-cert-file": { role: "client", peer: "extension-apiserver", key: "proxy-client-key-file" },
    "requestheader-client-ca-file": { role: "ca", peer: "extension-apiserver" },
    "service-account-key-file": { role: "sa-public" },
    "service-account-signing-key-file": { role: "sa-private" },
  },
  etcd: {
    "cert-file": { role: "serving", peer: "clients", key: "key-file" },
    "trusted-ca-file": { role: "ca", peer: "clients" },
    "peer-cert-file": { role: "peer", peer: "etcd", key: "peer-key-file" },
    "peer-trusted-ca-file": { role: "ca", peer: "etcd" },
  },
  "kube-controller-manager": {
    "tls-cert-file": { role: "serving", peer: "clients", key: "tls-private-key-file" },
    "client-ca-file": { role: "ca", peer: "clients" },
    "requestheader-client-ca-file": { role: "ca", peer: "extension-apiserver" },
    "cluster-signing-cert-file": { role: "signer", key: "cluster-signing-key-file" },
    "root-ca-file": { role: "ca", peer: "kube-apiserver" },
    "service-account-private-key-file": { role: "sa-private" },
  },
  "kube-scheduler": {
    "tls-cert-file": { role: "serving", peer: "clients", key: "tls-private-key-file" },
    "client-ca-file": { role: "ca", peer: "clients" },
    "requestheader-client-ca-file": { role: "ca", peer: "extension-apiserver" },
  },
  kubelet: {
    "tls-cert-file": { role: "serving", peer: "clients", key: "tls-private-key-file" },
    "client-ca-file": { role: "ca", peer: "clients" },
  },
};

/** The kubelet's --config fields that name files (flags win over them, as in the kubelet). */
const KUBELET_CONFIG: Record<
  string,
  { flag: string; spec: Spec; get(doc: Record<string, unknown>): unknown }
> = {
  tlsCertFile: {
    flag: "tls-cert-file",
    spec: { role: "serving", peer: "clients", key: "tlsPrivateKeyFile" },
    get: (d) => d.tlsCertFile,
  },
  "authentication.x509.clientCAFile": {
    flag: "client-ca-file",
    spec: { role: "ca", peer: "clients" },
    get: (d) => (d.authentication as { x509?: { clientCAFile?: unknown } } | undefined)?.x509?.clientCAFile,
  },
};

export function usedFiles(components: readonly NodeComponent[]): FileUse[] {
  const uses: FileUse[] = [];
  for (const c of components) {
    const at = (setting: string, p: string) => ({ setting, path: p, hostPath: c.view(p) });
    const push = (setting: string, p: string, spec: Spec, key?: { setting: string; path: string }) => {
      uses.push({
        component: c.component,
        pid: c.pid,
        ...at(setting, p),
        role: spec.role,
        ...(spec.peer && { peer: spec.peer }),
        ...(key && { key: at(key.setting, key.path) }),
      });
    };
    for (const [flag, spec] of Object.entries(FILE_FLAGS[c.component] ?? {})) {
      const value = c.settings.get(flag);
      if (!value) continue;
      const keyPath = spec.key ? c.settings.get(spec.key) : undefined;
      // --service-account-key-file may be given several times; pflag keeps a list, comma-joined.
      for (const p of spec.role === "sa-public" ? value.split(",") : [value])
        push(
          c.origin(flag),
          p,
          spec,
          spec.key && keyPath ? { setting: c.origin(spec.key), path: keyPath } : undefined,
        );
    }
    if (c.component === "kubelet") kubeletFiles(c, push);
  }
  return uses;
}

function kubeletFiles(
  c: NodeComponent,
  push: (setting: string, p: string, spec: Spec, key?: { setting: string; path: string }) => void,
): void {
  const doc = c.config?.doc ?? {};
  for (const [field, { flag, spec, get }] of Object.entries(KUBELET_CONFIG)) {
    const value = get(doc);
    if (c.settings.has(flag) || typeof value !== "string" || value === "") continue;
    const key = spec.key ? doc[spec.key] : undefined;
    push(
      `config ${field}`,
      value,
      spec,
      typeof key === "string" ? { setting: `config ${spec.key}`, path: key } : undefined,
    );
  }
  // Without a serving certificate named, the kubelet serves from --cert-dir: the rotated
  // kubelet-server-current.pem (serverTLSBootstrap), else the self-signed kubelet.crt it made.
  const certDir = c.settings.get("cert-dir") ?? "/var/lib/kubelet/pki";
  const setting = c.settings.has("cert-dir") ? "--cert-dir" : "default --cert-dir";
  // Its client certificate is there once TLS bootstrap or rotation wrote it; otherwise the
  // kubeconfig names it (and the kubeconfig is read on its own).
  const rotates =
    c.settings.has("bootstrap-kubeconfig") ||
    doc.rotateCertificates === true ||
    c.settings.get("rotate-certificates") === "true";
  const client = path.posix.join(certDir, "kubelet-client-current.pem");
  if (rotates) push(setting, client, { role: "client", peer: "kube-apiserver" }, { setting, path: client });
  if (!c.settings.has("tls-cert-file") && typeof doc.tlsCertFile !== "string") {
    const rotated =
      doc.serverTLSBootstrap === true || c.settings.get("rotate-server-certificates") === "true";
    const serving = path.posix.join(certDir, rotated ? "kubelet-server-current.pem" : "kubelet.crt");
    const key = rotated ? serving : path.posix.join(certDir, "kubelet.key");
    push(setting, serving, { role: "serving", peer: "clients" }, { setting, path: key });
  }
}
