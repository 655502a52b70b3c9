// The rules of `kubectl csr approve-client`: a kubelet client CSR (signer
// kubernetes.io/kube-apiserver-client-kubelet) is approved only when it provably comes from the
// node it names. What the API server and kubeadm already fix: the CSR's spec.username and
// spec.groups are set by the API server from the requester's credentials; a bootstrap token
// authenticates as system:bootstrap:<token id> with the groups in its auth-extra-groups.
import type { Sans } from "@kubemend/lib/x509/extensions";
import { keyRule } from "./key.js";
import { decodeRequest } from "./request.js";
import type { Review } from "./review.js";
import { finalCondition, stateRule } from "./state.js";
import {
  type CertificateSigningRequest,
  type CsrUnderReview,
  KUBELET_CLIENT_SIGNER,
  type Violation,
} from "./types.js";

const BOOTSTRAP_USER = "system:bootstrap:";
const NODE_USER = "system:node:";
const BOOTSTRAPPERS = "system:bootstrappers:";

/** A bootstrap token Secret (kube-system/bootstrap-token-<id>), as far as the rules need it. */
export interface BootstrapToken {
  id: string;
  /** RFC 3339 expiration; none means it never expires. */
  expiration?: string;
  usableForAuthentication: boolean;
}

/** What a node is to the rules: it exists, and whether its kubelet is Ready. */
export interface NodeState {
  name: string;
  ready: boolean;
}

export interface ClientReviewContext {
  /** Token Secrets by token id; a missing id means the Secret does not exist. */
  tokens: ReadonlyMap<string, BootstrapToken>;
  /** Existing Nodes by name. */
  nodes: ReadonlyMap<string, NodeState>;
  now: Date;
  /** --allow-existing-node: a bootstrap token may ask for the name of a Ready node. */
  allowExistingNode: boolean;
}

/** The node a client CSR asks to become: the name in CN=system:node:<name>. */
export function requestedNode(subjectCn: string | undefined): string | undefined {
  return subjectCn?.startsWith(NODE_USER) ? subjectCn.slice(NODE_USER.length) || undefined : undefined;
}

function bootstrapTokenId(csr: CertificateSigningRequest): string | undefined {
  const user = csr.spec.username ?? "";
  return user.startsWith(BOOTSTRAP_USER) ? user.slice(BOOTSTRAP_USER.length) : undefined;
}

/**
 * The node a bootstrap token is bound to: a group system:bootstrappers:<name> whose <name> is a
 * single word (one token per node, S5's pattern). kubeadm's shared token carries
 * system:bootstrappers:kubeadm:default-node-token, which binds no node.
 */
export function tokenBoundNode(groups: readonly string[]): string | undefined {
  for (const group of groups)
    if (group.startsWith(BOOTSTRAPPERS)) {
      const rest = group.slice(BOOTSTRAPPERS.length);
      if (rest !== "" && !rest.includes(":")) return rest;
    }
  return undefined;
}

interface ClientInput extends Pick<CsrUnderReview, "csr" | "request"> {
  node: string | undefined;
  context: ClientReviewContext;
}

const signer = ({ csr }: ClientInput): Violation[] =>
  csr.spec.signerName === KUBELET_CLIENT_SIGNER
    ? []
    : [
        {
          rule: "signer",
          message: `signer is ${csr.spec.signerName || "(none)"}, not ${KUBELET_CLIENT_SIGNER}`,
        },
      ];

/** Filed with a live bootstrap token, or by the node itself for its own name (a renewal). */
const requestor = ({ csr, node, context }: ClientInput): Violation[] => {
  const id = bootstrapTokenId(csr);
  const user = csr.spec.username ?? "";
  if (id === undefined) {
    if (user.startsWith(NODE_USER)) {
      const self = user.slice(NODE_USER.length);
      return node === self
        ? []
        : [
            {
              rule: "bootstrap-token",
              message: `node ${self} asks for the name of node ${node ?? "(none)"}`,
            },
          ];
    }
    return [
      {
        rule: "bootstrap-token",
        message: `requested by "${user}", neither a bootstrap token (system:bootstrap:<id>) nor the node itself`,
      },
    ];
  }
  const token = context.tokens.get(id);
  if (!token)
    return [
      { rule: "bootstrap-token", message: `bootstrap token ${id} does not exist (deleted or never made)` },
    ];
  const problems: Violation[] = [];
  if (token.expiration !== undefined && !(Date.parse(token.expiration) > context.now.getTime()))
    problems.push({
      rule: "bootstrap-token",
      message: `bootstrap token ${id} expired at ${token.expiration}`,
    });
  if (!token.usableForAuthentication)
    problems.push({
      rule: "bootstrap-token",
      message: `bootstrap token ${id} is not for authentication (usage-bootstrap-authentication is not "true")`,
    });
  return problems;
};

const request = ({ request }: ClientInput): Violation[] => {
  if (!request.ok) return [{ rule: "request", message: `request does not parse: ${request.error}` }];
  return request.csr.signatureValid
    ? []
    : [{ rule: "request", message: "request's self-signature does not verify" }];
};

/** Exactly CN=system:node:<name>, O=system:nodes. */
const subject = ({ request, node }: ClientInput): Violation[] => {
  if (!request.ok) return [];
  const { subject } = request.csr;
  const expected = `CN=${NODE_USER}${node ?? "<name>"},O=system:nodes`;
  const exact =
    node !== undefined &&
    subject.o.length === 1 &&
    subject.o[0] === "system:nodes" &&
    subject.dn === expected;
  return exact
    ? []
    : [{ rule: "client-subject", message: `subject is "${subject.dn}", expected "${expected}"` }];
};

const noSans = ({ request }: ClientInput): Violation[] => {
  if (!request.ok) return [];
  const { dns, ip, email, uri } = request.csr.sans;
  const all = [
    ...dns.map((v) => `DNS:${v}`),
    ...ip.map((v) => `IP:${v}`),
    ...email.map((v) => `email:${v}`),
    ...uri.map((v) => `URI:${v}`),
  ];
  return all.length === 0
    ? []
    : [{ rule: "no-sans", message: `a client certificate has no SANs, this asks for ${all.join(", ")}` }];
};

/** Within {digital signature, client auth} (key encipherment for RSA keys too), client auth included. */
const usages = ({ csr, request }: ClientInput): Violation[] => {
  const asked = csr.spec.usages ?? [];
  const rsa = request.ok && request.csr.publicKey.type === "RSA";
  const allowed = new Set(["digital signature", "client auth", ...(rsa ? ["key encipherment"] : [])]);
  const extra = asked.filter((u) => !allowed.has(u));
  const problems: Violation[] = [];
  if (extra.length > 0)
    problems.push({
      rule: "client-usages",
      message: `usages ${extra.join(", ")} are not for a kubelet client certificate`,
    });
  if (!asked.includes("client auth"))
    problems.push({ rule: "client-usages", message: "usages lack client auth" });
  return problems;
};

/** The serving rules' input, for the rules both kinds share (state, key). */
const shared = ({ csr, request }: ClientInput): CsrUnderReview => ({
  csr,
  request,
  node: undefined,
  serviceCidrs: [],
  limits: { allowedCidrs: [] },
});
const state = (input: ClientInput) => stateRule(shared(input));
/** RSA >= 2048, ECDSA P-256 or P-384, or Ed25519, as for serving CSRs. */
const key = (input: ClientInput) => keyRule(shared(input));

/** A token bound to one node (system:bootstrappers:<name>) may ask only for that node. */
const tokenNode = ({ csr, node }: ClientInput): Violation[] => {
  if (bootstrapTokenId(csr) === undefined) return [];
  const bound = tokenBoundNode(csr.spec.groups ?? []);
  return bound === undefined || bound === node
    ? []
    : [
        {
          rule: "token-node",
          message: `the token is bound to node ${bound} (group ${BOOTSTRAPPERS}${bound}), not ${node ?? "(none)"}`,
        },
      ];
};

/**
 * A bootstrap token asking for the name of an existing, Ready node would take over that node's
 * identity. kubeadm's auto-approval allows it; kubemend refuses unless --allow-existing-node.
 */
const existingNode = ({ csr, node, context }: ClientInput): Violation[] => {
  if (bootstrapTokenId(csr) === undefined || node === undefined || context.allowExistingNode) return [];
  return context.nodes.get(node)?.ready
    ? [
        {
          rule: "existing-node",
          message: `node ${node} exists and is Ready: a bootstrap token may not take its name (--allow-existing-node)`,
        },
      ]
    : [];
};

const CHAIN = [signer, state, requestor, request, subject, noSans, usages, key, tokenNode, existingNode];

const NO_SANS: Sans = { dns: [], ip: [], email: [], uri: [] };

/** Every client rule on one CSR; approvable only when none is violated. */
export function reviewClientCsr(csr: CertificateSigningRequest, context: ClientReviewContext): Review {
  const request = decodeRequest(csr);
  const node = request.ok ? requestedNode(request.csr.subject.cn) : undefined;
  const violations = CHAIN.flatMap((rule) => rule({ csr, request, node, context }));
  return {
    name: csr.metadata.name,
    csr,
    node,
    sans: request.ok ? request.csr.sans : NO_SANS,
    verdict: violations.length === 0 ? "approve" : "refuse",
    violations,
  };
}

/** An approved client CSR of a node, with when it was approved. */
export interface ApprovedClientCsr {
  name: string;
  node: string;
  approvedAt: number;
}

export function approvedClientCsr(csr: CertificateSigningRequest): ApprovedClientCsr | undefined {
  if (finalCondition(csr) !== "Approved") return undefined;
  const request = decodeRequest(csr);
  const node = request.ok ? requestedNode(request.csr.subject.cn) : undefined;
  const approved = csr.status?.conditions?.find((c) => c.type === "Approved");
  const at = Date.parse(
    approved?.lastUpdateTime ?? approved?.lastTransitionTime ?? csr.metadata.creationTimestamp ?? "",
  );
  return node && Number.isFinite(at) ? { name: csr.metadata.name, node, approvedAt: at } : undefined;
}

/**
 * At most one approved client CSR per node within `windowMs`: of a node's approvable CSRs only the
 * newest is approved, and none while another was approved for that node inside the window.
 */
export function supersedeClients(
  reviews: readonly Review[],
  approved: readonly ApprovedClientCsr[],
  windowMs: number,
  now: Date,
): Review[] {
  const recent = new Map<string, string>();
  for (const a of approved) if (now.getTime() - a.approvedAt < windowMs) recent.set(a.node, a.name);
  const newest = new Map<string, Review>();
  for (const r of reviews) {
    if (r.verdict !== "approve" || r.node === undefined) continue;
    const best = newest.get(r.node);
    const created = r.csr.metadata.creationTimestamp ?? "";
    const bestCreated = best?.csr.metadata.creationTimestamp ?? "";
    if (!best || created > bestCreated || (created === bestCreated && r.name > best.name))
      newest.set(r.node, r);
  }
  return reviews.map((review) => {
    if (review.verdict !== "approve" || review.node === undefined) return review;
    const already = recent.get(review.node);
    if (already) return { ...review, verdict: "superseded", supersededBy: already };
    const winner = newest.get(review.node);
    return winner && winner.name !== review.name
      ? { ...review, verdict: "superseded", supersededBy: winner.name }
      : review;
  });
}
