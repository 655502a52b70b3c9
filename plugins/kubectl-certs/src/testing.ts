// Real certificates for the unit tests, made with kubemend's own issuer (Go's shapes).
import type { KeyObject } from "node:crypto";
import type { CertificateInfo } from "@kubemend/lib/x509/certificate";
import type { Sans } from "@kubemend/lib/x509/extensions";
import { createCertificate, type GeneratedKey, generateKey } from "@kubemend/lib/x509/issue";
import type { ExtKeyUsageName } from "@kubemend/lib/x509/oids";
import { parseCertificateBundle } from "@kubemend/lib/x509/pem";
import type { FoundCert } from "./model.js";

export const NOW = new Date("2026-06-01T00:00:00Z");
export const DAY = 86_400_000;

export interface Issued {
  pem: string;
  info: CertificateInfo;
  key: GeneratedKey;
}

export async function issue(spec: {
  cn: string;
  o?: string[];
  sans?: Partial<Sans>;
  ca?: boolean;
  usages?: ExtKeyUsageName[];
  signer?: Issued;
  /** Days from NOW. */
  from?: number;
  to?: number;
  key?: GeneratedKey;
  serial?: string;
}): Promise<Issued> {
  const key = spec.key ?? (await generateKey("ecdsa-p256"));
  const pem = await createCertificate({
    subject: { cn: spec.cn, ...(spec.o && { o: spec.o }) },
    ...(spec.sans && { sans: spec.sans }),
    keyUsages: spec.ca ? ["digital signature", "cert sign"] : ["digital signature", "key encipherment"],
    extKeyUsages: spec.usages ?? (spec.ca ? [] : ["server auth"]),
    isCA: spec.ca ?? false,
    notBefore: new Date(NOW.getTime() + (spec.from ?? -1) * DAY),
    notAfter: new Date(NOW.getTime() + (spec.to ?? 365) * DAY),
    ...(spec.serial && { serial: spec.serial }),
    publicKey: spec.signer ? key.publicKey : (key.privateKey as KeyObject),
    ...(spec.signer && { signer: { certPem: spec.signer.pem, key: spec.signer.key.privateKey } }),
  });
  return { pem, info: parseCertificateBundle(pem).certificates[0] as CertificateInfo, key };
}

export function found(cert: Issued | CertificateInfo, over: Partial<FoundCert> = {}): FoundCert {
  return {
    source: "secrets",
    location: "secret/ns/web[tls.crt]",
    holder: { kind: "Secret", namespace: "ns", name: "web" },
    role: "leaf",
    cert: "info" in cert ? cert.info : cert,
    ...over,
  };
}

export const thresholds = { now: NOW, warnWithinMs: 30 * DAY, criticalWithinMs: 7 * DAY };
