import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import { type CertificateInfo, coversAddress, verifyIssuedBy } from "@kubemend/lib/x509/certificate";
import type { CertUse, NodeFacts, UsedCert } from "../model.js";
import { reissueStep } from "./next-steps.js";

const usedBy = (u: CertUse) => `${u.component} ${u.setting}`;

const evidenceOf = (c: UsedCert) => ({
  location: c.location,
  component: c.use.component,
  setting: c.use.setting,
  role: c.use.role,
  subject: c.chain[0]?.subject.dn,
  issuer: c.chain[0]?.issuer.dn,
  serial: c.chain[0]?.serial,
});

/** The extended key usages a role needs; a certificate without the extension may be used for any. */
function missingUsages(cert: CertificateInfo, role: CertUse["role"]): string[] {
  if (cert.extKeyUsages.length === 0 || cert.extKeyUsages.includes("any")) return [];
  const needs =
    role === "serving"
      ? ["server auth"]
      : role === "client"
        ? ["client auth"]
        : ["server auth", "client auth"];
  return needs.filter((u) => !cert.extKeyUsages.includes(u));
}

/** Whether the chain's leaf, through the intermediates stored with it, was issued by one of `cas`. */
export function chainsTo(chain: readonly CertificateInfo[], cas: readonly CertificateInfo[]): boolean {
  let current = chain[0];
  for (let hops = 0; current && hops <= chain.length; hops++) {
    const at = current;
    if (cas.some((ca) => ca.sha256Fingerprint === at.sha256Fingerprint || verifyIssuedBy(at, ca)))
      return true;
    current = chain.find((c) => c !== at && verifyIssuedBy(at, c));
  }
  return false;
}

/**
 * The certificates by the roles the node's components give them: each serving certificate covers
 * the addresses it is reached at, each certificate carries the usages of its role, and each one
 * presented to another component chains to a CA that component trusts.
 */
export function checkNodeRoles(facts: NodeFacts): Finding[] {
  const findings: Finding[] = [
    finding("NODE_COMPONENTS", {
      subject: { kind: "Node", name: facts.node },
      message: `read the certificates of ${facts.components.join(", ")}`,
      evidence: { components: facts.components },
    }),
  ];
  for (const s of facts.serving) {
    const cert = s.chain[0];
    if (!cert) continue;
    const missing = s.reachedAt.filter((r) => !coversAddress(cert, r.address));
    if (missing.length === 0) continue;
    findings.push(
      finding("SAN_MISSING", {
        case: "address-in-use",
        subject: { file: s.location },
        message: `${s.location} (${usedBy(s.use)}) does not cover ${missing.map((m) => `${m.address} (${m.from})`).join(", ")}: clients that connect there fail to verify it`,
        evidence: {
          ...evidenceOf(s),
          sans: [...cert.sans.dns, ...cert.sans.ip],
          missing: missing.map((m) => ({ address: m.address, from: m.from })),
        },
        next: reissueStep(
          s.location,
          [s.use],
          missing.map((m) => m.address),
        ),
      }),
    );
  }
  for (const p of facts.presented) {
    const cert = p.chain[0];
    if (!cert) continue;
    const missing = missingUsages(cert, p.use.role);
    if (missing.length === 0) continue;
    findings.push(
      finding("CERT_USAGE_MISSING", {
        subject: { file: p.location },
        message: `${p.location} is used as ${p.use.role === "peer" ? "etcd's peer certificate" : `a ${p.use.role} certificate`} (${usedBy(p.use)}) but lacks ${missing.join(" and ")}`,
        evidence: { ...evidenceOf(p), extKeyUsages: cert.extKeyUsages, missing },
        next: `use a cfssl profile with ${missing.join(" and ")} in its "usages": ${reissueStep(p.location, [p.use])}`,
      }),
    );
  }
  for (const t of facts.trust) {
    if (t.trustedBy.cas.length === 0 || t.presented.chain.length === 0) continue;
    if (chainsTo(t.presented.chain, t.trustedBy.cas)) continue;
    const leaf = t.presented.chain[0] as CertificateInfo;
    findings.push(
      finding("TRUST_MISMATCH", {
        subject: { file: t.presented.location },
        message: `${t.presented.location} (${usedBy(t.presented.use)}) is issued by "${leaf.issuer.dn}", which ${t.trustedBy.location} (${usedBy(t.trustedBy.use)}) does not hold: ${t.trustedBy.use.component} refuses it`,
        evidence: {
          presented: evidenceOf(t.presented),
          trustedBy: {
            location: t.trustedBy.location,
            component: t.trustedBy.use.component,
            setting: t.trustedBy.use.setting,
            cas: t.trustedBy.cas.map((c) => c.subject.dn),
          },
        },
        next: `reissue ${t.presented.location} from a CA in ${t.trustedBy.location}, or add its CA there, then restart ${t.presented.use.component} and ${t.trustedBy.use.component}`,
      }),
    );
  }
  return findings;
}
