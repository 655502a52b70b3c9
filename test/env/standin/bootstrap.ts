import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { createCsr as createCsrPem, generateKey, type KeyKind } from "@kubemend/lib/x509/issue";
import type { TestCluster } from "../cluster.js";
import { clientFor } from "../cluster.js";
import { writeKubeconfig } from "../kubeconfig-file.js";
import { CLIENT_SIGNER, createCsr, waitForCertificate } from "./csr.js";
import { storeRotatedPem } from "./pki-files.js";

/** A node's identity after TLS bootstrapping, and where the kubelet keeps it. */
export interface NodeCredentials {
  nodeName: string;
  /** cluster.root/nodes/<name>: kubelet.conf, bootstrap-kubelet.conf, pki/. */
  dir: string;
  pkiDir: string;
  kubeconfig: string;
  certPem: string;
  keyPem: string;
  /** The name of the client CSR the controller-manager approved. */
  csrName: string;
  client: KubeClient;
}

export interface BootstrapOptions {
  /** The kubelet's default is ECDSA P-256. */
  keyKind?: KeyKind;
  /** Default 60 s; the CSR is approved by the controller-manager within seconds. */
  timeoutMs?: number;
}

/**
 * The kubelet's TLS bootstrap (pkg/kubelet/certificate/bootstrap): authenticate with the bootstrap
 * token, ask for a kube-apiserver-client-kubelet certificate for system:node:<name>, wait for the
 * controller-manager to approve and sign it, then write kubelet.conf with that identity.
 */
export async function bootstrapNode(
  cluster: TestCluster,
  nodeName: string,
  { keyKind = "ecdsa-p256", timeoutMs = 60_000 }: BootstrapOptions = {},
): Promise<NodeCredentials> {
  const dir = path.join(cluster.root, "nodes", nodeName);
  const pkiDir = path.join(dir, "pki");
  await mkdir(pkiDir, { recursive: true });
  const caPem = cluster.pki.ca.certPem;
  const bootstrapKubeconfig = path.join(dir, "bootstrap-kubelet.conf");
  await writeKubeconfig(bootstrapKubeconfig, {
    server: cluster.server,
    caPem,
    user: { token: cluster.bootstrapToken },
    userName: "tls-bootstrap-token-user",
  });
  const bootstrapClient = await clientFor(bootstrapKubeconfig);

  const key = await generateKey(keyKind);
  const cn = `system:node:${nodeName}`;
  const o = ["system:nodes"];
  const usages = ["digital signature", "client auth"];
  if (key.privateKey.asymmetricKeyType === "rsa") usages.push("key encipherment");
  const csr = await createCsr(bootstrapClient, {
    name: digestedName(key.publicKeyPem, cn, o, usages),
    csrPem: await createCsrPem({ cn, o, key: key.privateKey }),
    signerName: CLIENT_SIGNER,
    usages,
  });
  const certPem = await withTimeout(
    (signal) => waitForCertificate(bootstrapClient, csr, signal),
    timeoutMs,
    `the client certificate of node ${nodeName} (CSR ${csr.metadata.name})`,
  );

  await storeRotatedPem(pkiDir, "kubelet-client", certPem, key.privateKeyPem);
  const kubeconfig = path.join(dir, "kubelet.conf");
  await writeKubeconfig(kubeconfig, {
    server: cluster.server,
    caPem,
    user: { certPem, keyPem: key.privateKeyPem },
    userName: cn,
  });
  return {
    nodeName,
    dir,
    pkiDir,
    kubeconfig,
    certPem,
    keyPem: key.privateKeyPem,
    csrName: csr.metadata.name,
    client: await clientFor(kubeconfig),
  };
}

/** The kubelet's CSR name: node-csr- and a SHA-512/256 digest of the key, subject and usages. */
function digestedName(publicKeyPem: string, cn: string, o: string[], usages: string[]): string {
  const der = Buffer.from(publicKeyPem.replace(/-----[^-]+-----|\s/g, ""), "base64");
  const hash = createHash("sha512-256");
  for (const part of [
    der,
    Buffer.from(cn),
    ...o.map((v) => Buffer.from(v)),
    ...usages.map((v) => Buffer.from(v)),
  ]) {
    hash.update(part.toString("base64url"));
    hash.update("|");
  }
  return `node-csr-${hash.digest("base64url")}`;
}

export async function withTimeout<T>(
  run: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await run(controller.signal);
  } catch (err) {
    if (controller.signal.aborted) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
