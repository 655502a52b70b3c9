import type { Subject } from "@kubemend/lib/findings/finding";
import type { BootstrapRight } from "@kubemend/lib/kube/bootstrap-rbac";
import type { FileRole } from "@kubemend/lib/node/files";
import type { CertificateInfo } from "@kubemend/lib/x509/certificate";
import type { ChainLint } from "@kubemend/lib/x509/chain";

export const SOURCES = [
  "kubeconfig",
  "node",
  "pki",
  "served",
  "ca",
  "secrets",
  "webhooks",
  "apiservices",
  "nodes",
  "bootstrap-tokens",
] as const;
export type SourceName = (typeof SOURCES)[number];

/**
 * What a certificate is to the thing that holds it: a certificate presented or used for
 * authentication (leaf, with its chain), or a trust anchor handed to clients (a CA file, a
 * caBundle, a ca.crt).
 */
export type CertRole = "leaf" | "chain" | "trust";

/** One certificate (or one unparsable PEM block or value) found by a source. */
export interface FoundCert {
  source: SourceName;
  /** Where it was found, precise enough to go and look: a file, secret/ns/name[key]#n, host:port#n. */
  location: string;
  /** The object or file or endpoint that holds it, for findings. */
  holder: Subject;
  role: CertRole;
  cert?: CertificateInfo;
  /** Why it could not be parsed (never the content). */
  problem?: string;
  /** kubeadm's name for it ("apiserver", "admin.conf"), when it is one of kubeadm's files. */
  kubeadmName?: string;
  /** The kubeconfig context, for the kubeconfig source. */
  context?: string;
  /** For a file: the component that presents it in TLS handshakes ("kube-apiserver", "kubelet"). */
  serves?: string;
  /**
   * For a certificate seen in a TLS handshake: where, whether the address is this machine's, the
   * component, and for a kubelet its node's name.
   */
  served?: { endpoint: string; host: string; local: boolean; component: string; nodeName?: string };
  /** For a file a component on this node uses: each setting that names it, with the role it gives it. */
  uses?: CertUse[];
}

/** How a component on this node uses a file, from the flag (or etcd variable) that names it. */
export interface CertUse {
  component: string;
  /** Undefined for a static pod whose process is not running (read from its manifest). */
  pid?: number;
  /** "--etcd-certfile", "ETCD_CERT_FILE", "--kubeconfig", "config authentication.x509.clientCAFile". */
  setting: string;
  role: FileRole;
  /** Whom a client certificate is presented to; whose certificates a CA verifies. */
  peer?: string;
  /** The systemd unit that runs the component, when one does. */
  unit?: string;
}

/** A certificate where a component uses it, as the role checks need it. */
export interface UsedCert {
  location: string;
  use: CertUse;
  /** The certificate, then any intermediates stored with it. */
  chain: CertificateInfo[];
}

/**
 * What the node's components say about each other, for the role checks: where each serving
 * certificate is reached, and which CA each side trusts for the other.
 */
export interface NodeFacts {
  /** This machine's host name. */
  node: string;
  /** The processes whose files were read: "etcd (pid 12, etcd.service)". */
  components: string[];
  serving: (UsedCert & { reachedAt: { address: string; from: string }[] })[];
  /** Certificates used as clients (or as etcd peers): they need the matching extended key usage. */
  presented: UsedCert[];
  /** A certificate presented to a verifier that trusts the CAs of `trustedBy`. */
  trust: { presented: UsedCert; trustedBy: { location: string; use: CertUse; cas: CertificateInfo[] } }[];
  /** Every host a component of this node is configured to dial or to be reached at. */
  dialed: string[];
}

/** A source that could not be read (forbidden, unreachable), as a warning naming what is missing. */
export interface SourceWarning {
  source: SourceName;
  message: string;
  hint?: string;
  /** The API server never answered (refused, unreachable, timed out): the run is incomplete. */
  unanswered?: boolean;
}

/** A presented chain, with what should verify it, for chain lint and key checks. */
export interface CertBundle {
  source: SourceName;
  holder: Subject;
  location: string;
  /** As stored or presented; leaf first when well formed. */
  chain: CertificateInfo[];
  /** The CAs clients are given for it (ca.crt, the kubeconfig CA, kubeadm's CA for the file). */
  trust?: CertificateInfo[];
  /** Whether the stored private key belongs to the leaf; the key itself is never kept. */
  keyMatches?: boolean;
  /** The chain's lint with `trust`, when the source already ordered it (to find the key's leaf). */
  lint?: ChainLint;
}

export interface NodeServing {
  name: string;
  addresses: { type: string; address: string }[];
  /** InternalIP:kubeletEndpoint port, when the node has both. */
  endpoint?: string;
  chain?: CertificateInfo[];
  /** Why the handshake failed. */
  error?: string;
  /** Pending kubernetes.io/kubelet-serving CSRs this node filed, oldest first. */
  pendingCsrs: { name: string; created?: string }[];
}

export interface ApiServiceState {
  name: string;
  service?: string;
  available?: string;
  reason?: string;
  message?: string;
}

export interface BootstrapToken {
  name: string;
  tokenId?: string;
  expiration?: Date;
  /** An expiration that is not RFC 3339. */
  badExpiration?: boolean;
  deleting: boolean;
}

export interface RootCaCopy {
  namespace: string;
  fingerprints: string[];
}

/** Everything the sources found: plain data for the checks. */
export interface Collected {
  certs: FoundCert[];
  bundles: CertBundle[];
  nodes: NodeServing[];
  apiServices: ApiServiceState[];
  bootstrapTokens: BootstrapToken[];
  /** Which of kubeadm's TLS-bootstrap rights RBAC grants (empty when not asked). */
  bootstrapRbac: { right: BootstrapRight; granted: boolean }[];
  rootCaCopies: RootCaCopy[];
  /** CAs known to be the cluster's (kubeconfig CA, pki ca.crt): a kubelet cert not from one is self-made. */
  clusterCas: CertificateInfo[];
  /** From the node source: how the node's components use their certificates. */
  nodeFacts: NodeFacts[];
  /** From the node source: where this machine reads each file it listed (through /proc/<pid>/root). */
  nodeHostPaths: { location: string; hostPath: string }[];
  warnings: SourceWarning[];
  /** Sources that returned data. */
  read: SourceName[];
}

export function emptyCollected(): Collected {
  return {
    certs: [],
    bundles: [],
    nodes: [],
    apiServices: [],
    bootstrapTokens: [],
    bootstrapRbac: [],
    rootCaCopies: [],
    clusterCas: [],
    nodeFacts: [],
    nodeHostPaths: [],
    warnings: [],
    read: [],
  };
}
