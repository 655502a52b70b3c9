import type { ObjectMeta } from "@kubemend/lib/kube/client";
import type { CsrParseResult } from "@kubemend/lib/x509/csr";

export const KUBELET_SERVING_SIGNER = "kubernetes.io/kubelet-serving";
export const KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";

export interface CsrCondition {
  type: string;
  status?: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

/** certificates.k8s.io/v1 CertificateSigningRequest, the fields kubemend reads. */
export interface CertificateSigningRequest {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    /** Base64 of the PEM request. */
    request: string;
    signerName: string;
    usages?: string[];
    username?: string;
    uid?: string;
    groups?: string[];
    expirationSeconds?: number;
  };
  status?: { certificate?: string; conditions?: CsrCondition[] };
}

export interface NodeAddress {
  type: string;
  address: string;
}

/** What the rules need of a Node: its name and the addresses it reports. */
export interface NodeIdentity {
  name: string;
  addresses: NodeAddress[];
}

/** The optional limits an operator adds because node addresses are self-reported (rule 9). */
export interface PolicyLimits {
  allowedCidrs: string[];
  /** Matched against the whole DNS SAN. */
  dnsRegex?: RegExp;
  maxExpirationSeconds?: number;
}

/** Everything the rules look at for one CSR: the object, its decoded request, the node it names. */
export interface CsrUnderReview {
  csr: CertificateSigningRequest;
  request: CsrParseResult;
  /** The node named by spec.username; undefined when there is no such Node (or no node name). */
  node: NodeIdentity | undefined;
  serviceCidrs: readonly string[];
  limits: PolicyLimits;
}

export const RULES = [
  "signer",
  "state",
  "requestor",
  "request",
  "usages",
  "sans",
  "node-addresses",
  "key",
  "allowed-cidrs",
  "dns-regex",
  "max-expiration",
] as const;
/** The rules of `approve-client`, for kubelet client CSRs (TLS bootstrap and renewals). */
export const CLIENT_RULES = [
  "signer",
  "state",
  "bootstrap-token",
  "request",
  "client-subject",
  "no-sans",
  "client-usages",
  "key",
  "token-node",
  "existing-node",
] as const;
export type RuleId = (typeof RULES)[number] | (typeof CLIENT_RULES)[number];

/** A rule that does not hold, with the fact that breaks it. */
export interface Violation {
  rule: RuleId;
  message: string;
}

export type Rule = (review: CsrUnderReview) => Violation[];
