import type { KubeClient, KubeObject } from "@kubemend/lib/kube/client";
import { isConflict } from "@kubemend/lib/kube/errors";
import { Informer } from "@kubemend/lib/kube/informer";
import { CSRS } from "./api.js";

export const CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
export const SERVING_SIGNER = "kubernetes.io/kubelet-serving";

export interface CertificateSigningRequest extends KubeObject {
  spec: {
    request: string;
    signerName: string;
    usages?: string[];
    username?: string;
    expirationSeconds?: number;
  };
  status?: {
    certificate?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export interface CsrRequest {
  /** A fixed name (the kubelet's bootstrap uses node-csr-<digest>), else generateName "csr-". */
  name?: string;
  csrPem: string;
  signerName: string;
  usages: string[];
  expirationSeconds?: number;
}

/** Creates the CSR, or adopts an existing one of the same fixed name (a restarted bootstrap). */
export async function createCsr(client: KubeClient, request: CsrRequest): Promise<CertificateSigningRequest> {
  const body = {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: request.name ? { name: request.name } : { generateName: "csr-" },
    spec: {
      request: Buffer.from(request.csrPem).toString("base64"),
      signerName: request.signerName,
      usages: request.usages,
      ...(request.expirationSeconds !== undefined && { expirationSeconds: request.expirationSeconds }),
    },
  };
  try {
    return await client.create<CertificateSigningRequest>(CSRS, body);
  } catch (err) {
    if (!request.name || !isConflict(err)) throw err;
    return client.get<CertificateSigningRequest>({ ...CSRS, name: request.name });
  }
}

/**
 * Waits, watching that one CSR, until its certificate is issued; rejects when it is denied or
 * fails, or when `signal` aborts. No timeout of its own: a serving CSR may wait for a person.
 */
export function waitForCertificate(
  client: KubeClient,
  csr: CertificateSigningRequest,
  signal?: AbortSignal,
): Promise<string> {
  const { name, uid } = csr.metadata;
  return new Promise((resolve, reject) => {
    const finish = (error: Error | undefined, pem?: string) => {
      informer.stop();
      if (error) reject(error);
      else resolve(pem as string);
    };
    const informer = new Informer<CertificateSigningRequest>(
      client,
      CSRS,
      { fieldSelector: `metadata.name=${name}` },
      (type, object) => {
        if (object.metadata.uid !== uid) return;
        if (type === "DELETED") return finish(new Error(`CSR ${name} was deleted before it was issued`));
        const failed = object.status?.conditions?.find(
          (c) => (c.type === "Denied" || c.type === "Failed") && c.status === "True",
        );
        if (failed)
          return finish(
            new Error(
              `CSR ${name} ${failed.type.toLowerCase()}: ${failed.reason ?? ""} ${failed.message ?? ""}`,
            ),
          );
        const certificate = object.status?.certificate;
        if (certificate) finish(undefined, Buffer.from(certificate, "base64").toString());
      },
    );
    const abort = () => finish(new Error(`stopped waiting for CSR ${name}`));
    if (signal?.aborted) abort();
    else signal?.addEventListener("abort", abort, { once: true });
  });
}
