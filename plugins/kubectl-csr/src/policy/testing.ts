// Fixtures for the policy unit tests: real PKCS#10 requests inside CertificateSigningRequest objects.
import type { Sans } from "@kubemend/lib/x509/extensions";
import { createCsr, generateKey, type KeyKind } from "@kubemend/lib/x509/issue";
import { decodeRequest } from "./request.js";
import {
  type CertificateSigningRequest,
  type CsrUnderReview,
  KUBELET_SERVING_SIGNER,
  type NodeIdentity,
} from "./types.js";

export const NODE: NodeIdentity = {
  name: "worker-1",
  addresses: [
    { type: "InternalIP", address: "10.2.1.152" },
    { type: "ExternalIP", address: "203.0.113.7" },
    { type: "Hostname", address: "worker-1" },
    { type: "InternalDNS", address: "worker-1.internal.example" },
  ],
};

export interface FixtureOptions {
  name?: string;
  node?: string;
  cn?: string;
  o?: string[];
  sans?: Partial<Sans>;
  key?: KeyKind;
  signerName?: string;
  usages?: string[];
  username?: string;
  groups?: string[];
  created?: string;
  expirationSeconds?: number;
}

export async function servingCsr(options: FixtureOptions = {}): Promise<CertificateSigningRequest> {
  const node = options.node ?? NODE.name;
  const username = options.username ?? `system:node:${node}`;
  const key = await generateKey(options.key ?? "ecdsa-p256");
  const pem = await createCsr({
    cn: options.cn ?? username,
    o: options.o ?? ["system:nodes"],
    sans: options.sans ?? { dns: [node], ip: ["10.2.1.152"] },
    key: key.privateKey,
  });
  return {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: {
      name: options.name ?? "csr-abcde",
      resourceVersion: "100",
      creationTimestamp: options.created ?? "2026-11-23T10:00:00Z",
    },
    spec: {
      request: Buffer.from(pem).toString("base64"),
      signerName: options.signerName ?? KUBELET_SERVING_SIGNER,
      usages: options.usages ?? ["digital signature", "server auth"],
      username,
      groups: options.groups ?? ["system:nodes", "system:authenticated"],
      ...(options.expirationSeconds !== undefined && { expirationSeconds: options.expirationSeconds }),
    },
  };
}

export function underReview(
  csr: CertificateSigningRequest,
  overrides: Partial<Omit<CsrUnderReview, "csr" | "request">> = {},
): CsrUnderReview {
  return {
    csr,
    request: decodeRequest(csr),
    node: NODE,
    serviceCidrs: ["10.96.0.0/12"],
    limits: { allowedCidrs: [] },
    ...overrides,
  };
}
