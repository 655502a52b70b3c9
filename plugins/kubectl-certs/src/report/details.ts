import { formatDuration } from "@kubemend/lib/output/duration";
import { type CertificateInfo, residual } from "@kubemend/lib/x509/certificate";
import { orderAndLintChain } from "@kubemend/lib/x509/chain";
import type { CsrInfo } from "@kubemend/lib/x509/csr";
import type { FoundCert } from "../model.js";

function sans(s: CertificateInfo["sans"]): string {
  return [
    ...s.dns.map((v) => `DNS:${v}`),
    ...s.ip.map((v) => `IP:${v}`),
    ...s.email.map((v) => `email:${v}`),
    ...s.uri.map((v) => `URI:${v}`),
  ].join(", ");
}

function block(title: string, fields: [string, string][]): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  return `${title}\n${fields.map(([k, v]) => `  ${`${k}:`.padEnd(width + 1)}${v}`.trimEnd()).join("\n")}\n`;
}

/**
 * What each certificate is in its chain, from the issuer links rather than its position: a bundle
 * stored root first still has its leaf called the leaf. A CA bundle (trust) holds CAs, not a chain.
 */
export function chainRoles(certs: readonly FoundCert[]): Map<FoundCert, string> {
  const groups = new Map<string, FoundCert[]>();
  for (const found of certs) {
    if (!found.cert) continue;
    const key = `${found.source} ${found.location.replace(/#\d+$/, "")}`;
    groups.set(key, [...(groups.get(key) ?? []), found]);
  }
  const roles = new Map<FoundCert, string>();
  for (const group of groups.values()) {
    if (group[0]?.role === "trust") {
      for (const f of group) roles.set(f, f.cert?.isCA ? (f.cert.selfSigned ? "root CA" : "CA") : "trust");
      continue;
    }
    const ordered = orderAndLintChain(group.map((f) => f.cert as CertificateInfo)).ordered;
    for (const f of group) {
      const at = ordered.indexOf(f.cert as CertificateInfo);
      roles.set(
        f,
        at === 0
          ? "leaf"
          : at === -1
            ? "not in the chain"
            : at === ordered.length - 1 && f.cert?.selfSigned
              ? "root CA"
              : "intermediate CA",
      );
    }
  }
  return roles;
}

/** Every field of each certificate, the way `openssl x509 -text` would be read by a person. */
export function renderDetails(certs: readonly FoundCert[], now: Date): string {
  const roles = chainRoles(certs);
  return certs
    .map((found) => {
      const cert = found.cert;
      if (!cert) return block(found.location, [["Problem", found.problem ?? "unparsable"]]);
      const key = cert.publicKey;
      return block(`${found.location} (${roles.get(found) ?? found.role})`, [
        ["Subject", cert.subject.dn],
        ["Issuer", cert.issuer.dn],
        ["Serial", cert.serial],
        ["Not before", cert.notBefore.toISOString()],
        ["Not after", `${cert.notAfter.toISOString()} (${formatDuration(residual(cert, now))})`],
        ["SANs", sans(cert.sans)],
        ["Key usages", cert.keyUsages.join(", ")],
        ["Ext key usages", cert.extKeyUsages.join(", ")],
        ["Key", [key.type, key.curve ?? key.bits].filter((p) => p !== undefined).join(" ")],
        ["Signature", cert.signatureAlgorithm],
        [
          "CA",
          cert.isCA ? `true${cert.pathLen !== undefined ? ` (path length ${cert.pathLen})` : ""}` : "false",
        ],
        ["Self-signed", String(cert.selfSigned)],
        ["SHA-256", cert.sha256Fingerprint],
        ["Subject key ID", cert.subjectKeyId ?? ""],
        ["Authority key ID", cert.authorityKeyId ?? ""],
      ]);
    })
    .join("\n");
}

export function renderCsrDetails(csr: CsrInfo): string {
  return block("certificate signing request", [
    ["Subject", csr.subject.dn],
    ["SANs", sans(csr.sans)],
    [
      "Key",
      [csr.publicKey.type, csr.publicKey.curve ?? csr.publicKey.bits]
        .filter((p) => p !== undefined)
        .join(" "),
    ],
    ["Signature", `${csr.signatureAlgorithm} (${csr.signatureValid ? "valid" : "INVALID"})`],
    ["Key usages", csr.keyUsages.join(", ")],
    ["Ext key usages", csr.extKeyUsages.join(", ")],
    ["CA", String(csr.isCA)],
  ]);
}

/** The JSON form of a certificate: every field, dates as RFC 3339, the public PEM included. */
export function certificateJson(found: FoundCert) {
  return {
    location: found.location,
    role: found.role,
    ...(found.cert ? { certificate: found.cert } : { problem: found.problem }),
  };
}
