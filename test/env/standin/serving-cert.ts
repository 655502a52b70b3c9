import { X509Certificate } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { sleep } from "@kubemend/lib/kube/informer";
import {
  createCertificate,
  createCsr as createCsrPem,
  generateKey,
  type KeyKind,
} from "@kubemend/lib/x509/issue";
import { createCsr, SERVING_SIGNER, waitForCertificate } from "./csr.js";
import { concatPem, storeRotatedPem } from "./pki-files.js";

/** What the kubelet endpoint serves: the certificate chain (leaf first) and its key. */
export interface ServingCertificate {
  certPem: string;
  keyPem: string;
}

const HOUR = 3_600_000;

/**
 * The kubelet's certificate when serverTLSBootstrap is off (client-go certutil
 * GenerateSelfSignedCertKey(hostname, nil, nil)): an RSA leaf "<host>@<unix>" for the hostname
 * only, with no IP SANs, issued by a throwaway CA "<host>-ca@<unix>", both valid a year. Seed
 * incident S2 starts here. Written to pki/kubelet.crt and kubelet.key like the kubelet does.
 */
export async function selfSignedServingCertificate(
  hostname: string,
  pkiDir: string,
): Promise<ServingCertificate> {
  const [caKey, key] = await Promise.all([generateKey("rsa-2048"), generateKey("rsa-2048")]);
  const unix = Math.floor(Date.now() / 1000);
  const notBefore = new Date(Date.now() - HOUR);
  const notAfter = new Date(notBefore.getTime() + 365 * 24 * HOUR);
  const caPem = await createCertificate({
    subject: { cn: `${hostname}-ca@${unix}` },
    keyUsages: ["key encipherment", "digital signature", "cert sign"],
    extKeyUsages: [],
    isCA: true,
    notBefore,
    notAfter,
    publicKey: caKey.privateKey,
  });
  const leafPem = await createCertificate({
    subject: { cn: `${hostname}@${unix}` },
    sans: isIP(hostname) ? { ip: [hostname] } : { dns: [hostname] },
    keyUsages: ["key encipherment", "digital signature"],
    extKeyUsages: ["server auth"],
    isCA: false,
    notBefore,
    notAfter,
    publicKey: key.publicKey,
    signer: { certPem: caPem, key: caKey.privateKey },
  });
  const served = { certPem: concatPem(leafPem, caPem), keyPem: key.privateKeyPem };
  await writeFile(path.join(pkiDir, "kubelet.crt"), served.certPem);
  await writeFile(path.join(pkiDir, "kubelet.key"), served.keyPem, { mode: 0o600 });
  return served;
}

export interface ServingCsrOptions {
  /** The kubelet's default is ECDSA P-256 (then no "key encipherment" usage, as in 1.37). */
  keyKind?: KeyKind;
  /** spec.expirationSeconds, to make short-lived certificates that rotate during a test (min 600). */
  expirationSeconds?: number;
  /** Give up on an unanswered CSR and file a new one after this long, as the kubelet does after 15 min. Default: never. */
  csrRetryAfterMs?: number;
}

export interface ServingCertificateEvents {
  onIssued(certificate: ServingCertificate, csrName: string): void;
  onError(err: unknown): void;
}

/**
 * serverTLSBootstrap: the kubelet's serving certificate manager. It files a kubelet-serving CSR as
 * the node itself, waits (as long as it takes: only a person or an approver answers these),
 * hands over the issued certificate, and files the next CSR at 70-90% of the certificate's
 * lifetime or when asked to rotate.
 */
export class ServingCertificateManager {
  private readonly stopping = new AbortController();
  private wake = new AbortController();
  private rotateRequested = false;
  private issued: ServingCertificate | undefined;
  private pending: string | undefined;
  private readonly names: string[] = [];
  private readonly loop: Promise<void>;

  constructor(
    private readonly client: KubeClient,
    private readonly node: { name: string; hostname: string; ip: string; pkiDir: string },
    private readonly events: ServingCertificateEvents,
    private readonly options: ServingCsrOptions = {},
  ) {
    this.loop = this.run();
  }

  current(): ServingCertificate | undefined {
    return this.issued;
  }

  /** The CSR the manager is waiting on, if any. */
  pendingCsr(): string | undefined {
    return this.pending;
  }

  /** Every CSR this manager filed, oldest first. */
  csrNames(): readonly string[] {
    return this.names;
  }

  /** File a new CSR now instead of at the rotation deadline. */
  rotate(): void {
    this.rotateRequested = true;
    this.wake.abort();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        const issued = await this.requestOnce();
        if (!issued) continue;
        failures = 0;
        await this.sleepUntilRotation(issued);
      } catch (err) {
        if (this.stopping.signal.aborted) break;
        this.events.onError(err);
        failures++;
        await sleep(Math.min(60_000, 1_000 * 2 ** failures), this.stopping.signal);
      }
    }
  }

  private async requestOnce(): Promise<X509Certificate | undefined> {
    const key = await generateKey(this.options.keyKind ?? "ecdsa-p256");
    const usages = ["digital signature", "server auth"];
    if (key.privateKey.asymmetricKeyType === "rsa") usages.splice(1, 0, "key encipherment");
    const csrPem = await createCsrPem({
      cn: `system:node:${this.node.name}`,
      o: ["system:nodes"],
      sans: { dns: [this.node.hostname], ip: [this.node.ip] },
      key: key.privateKey,
    });
    const csr = await createCsr(this.client, {
      csrPem,
      signerName: SERVING_SIGNER,
      usages,
      expirationSeconds: this.options.expirationSeconds,
    });
    this.pending = csr.metadata.name;
    this.names.push(csr.metadata.name);
    const giveUp = new AbortController();
    const retry = this.options.csrRetryAfterMs;
    const timer = retry === undefined ? undefined : setTimeout(() => giveUp.abort(), retry);
    let certPem: string;
    try {
      certPem = await waitForCertificate(
        this.client,
        csr,
        AbortSignal.any([this.stopping.signal, giveUp.signal]),
      );
    } catch (err) {
      if (giveUp.signal.aborted && !this.stopping.signal.aborted) return undefined;
      throw err;
    } finally {
      clearTimeout(timer);
      this.pending = undefined;
    }
    await storeRotatedPem(this.node.pkiDir, "kubelet-server", certPem, key.privateKeyPem);
    this.issued = { certPem, keyPem: key.privateKeyPem };
    this.events.onIssued(this.issued, csr.metadata.name);
    return new X509Certificate(certPem);
  }

  private async sleepUntilRotation(cert: X509Certificate): Promise<void> {
    const notBefore = Date.parse(cert.validFrom);
    const lifetime = Date.parse(cert.validTo) - notBefore;
    const deadline = notBefore + lifetime * (0.7 + 0.2 * Math.random());
    this.wake = new AbortController();
    while (Date.now() < deadline && !this.rotateRequested && !this.stopping.signal.aborted) {
      await sleep(Math.min(deadline - Date.now(), 2 ** 31 - 1), this.wake.signal);
    }
    this.rotateRequested = false;
  }
}
