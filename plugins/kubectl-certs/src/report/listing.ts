import { type FindingCode, isFindingCode } from "@kubemend/lib/findings/catalogue";
import type { Finding, Severity } from "@kubemend/lib/findings/finding";
import type { Palette } from "@kubemend/lib/output/color";
import { formatDuration } from "@kubemend/lib/output/duration";
import type { Column } from "@kubemend/lib/output/table";
import { residual } from "@kubemend/lib/x509/certificate";
import type { Thresholds } from "../checks/thresholds.js";
import type { BootstrapToken, FoundCert, SourceName } from "../model.js";

export type ListingStatus = "OK" | "EXPIRING" | "CRITICAL" | "EXPIRED" | "NOT-YET-VALID" | "UNPARSABLE";

/** One row of `certs expiry`: a certificate, an unparsable value or a bootstrap token. */
export interface ListingRow {
  source: SourceName;
  location: string;
  subject: string;
  issuer: string;
  notAfter?: string;
  /** Milliseconds; negative once expired. */
  residualMs?: number;
  status: ListingStatus;
  /** The severity of the finding behind STATUS; none when OK. */
  severity?: Severity;
  serial?: string;
  sans?: string[];
  keyType?: string;
  isCA?: boolean;
  problem?: string;
  /** For a file a component on this node uses: each setting that names it, and the role it gives. */
  uses?: { component: string; setting: string; role: string; peer?: string; unit?: string }[];
}

/** The expiry codes of checkExpiry and checkBootstrapTokens, as the table's STATUS. */
const STATUS: Partial<Record<FindingCode, ListingStatus>> = {
  CERT_EXPIRED: "EXPIRED",
  CABUNDLE_EXPIRED: "EXPIRED",
  BOOTSTRAP_TOKEN_EXPIRED: "EXPIRED",
  CERT_NOT_YET_VALID: "NOT-YET-VALID",
  CERT_UNPARSABLE: "UNPARSABLE",
  BOOTSTRAP_TOKEN_UNPARSABLE: "UNPARSABLE",
  CERT_EXPIRING: "EXPIRING",
  CA_EXPIRING: "EXPIRING",
  BOOTSTRAP_TOKEN_EXPIRING: "EXPIRING",
};

/** The STATUS a finding gives its row, if any. */
const statusOf = (f: Finding) => (isFindingCode(f.code) ? STATUS[f.code] : undefined);

/**
 * Each row's STATUS is the finding the checks made about that certificate or token, so the table
 * and the findings cannot disagree: an expiring certificate in the critical window is CRITICAL, a
 * bootstrap token that expires in a day (an info finding) is EXPIRING, not red.
 */
function rowStatus(f: Finding | undefined): RowStatus {
  const status = f && statusOf(f);
  if (!f || !status) return { status: "OK" };
  return {
    status: status === "EXPIRING" && f.severity === "critical" ? "CRITICAL" : status,
    severity: f.severity,
  };
}

/**
 * The first expiry finding about each certificate, by source and location: one pass over the
 * findings, not one per row (10,000 secrets with thousands of findings spent ~0.6 s here).
 */
function expiryFindingsByCert(findings: readonly Finding[]): Map<string, Finding> {
  const first = new Map<string, Finding>();
  for (const f of findings) {
    if (!statusOf(f)) continue;
    const { source, location } = f.evidence ?? {};
    if (typeof source !== "string" || typeof location !== "string") continue;
    const key = certKey(source, location);
    if (!first.has(key)) first.set(key, f);
  }
  return first;
}

const certKey = (source: string, location: string) => `${source}\0${location}`;

type RowStatus = Pick<ListingRow, "status" | "severity">;

export function listingRows(
  certs: readonly FoundCert[],
  tokens: readonly BootstrapToken[],
  findings: readonly Finding[],
  t: Thresholds,
): ListingRow[] {
  const byCert = expiryFindingsByCert(findings);
  const ofCert = (found: FoundCert) => rowStatus(byCert.get(certKey(found.source, found.location)));
  const rows: ListingRow[] = certs.map((found) => {
    const cert = found.cert;
    if (!cert)
      return {
        source: found.source,
        location: found.location,
        subject: "",
        issuer: "",
        ...ofCert(found),
        problem: found.problem,
      };
    const key = cert.publicKey;
    return {
      source: found.source,
      location: found.location,
      subject: cert.subject.dn,
      issuer: cert.issuer.dn,
      notAfter: cert.notAfter.toISOString(),
      residualMs: residual(cert, t.now),
      ...ofCert(found),
      serial: cert.serial,
      sans: [...cert.sans.dns, ...cert.sans.ip, ...cert.sans.email, ...cert.sans.uri],
      keyType: [key.type, key.curve ?? key.bits].filter((p) => p !== undefined).join(" "),
      isCA: cert.isCA,
      ...(found.uses && { uses: found.uses.map(({ pid: _pid, ...use }) => use) }),
    };
  });
  for (const token of tokens)
    rows.push({
      source: "bootstrap-tokens",
      location: `secret/kube-system/${token.name}`,
      subject: `bootstrap token ${token.tokenId ?? ""}`.trim(),
      issuer: "",
      ...(token.expiration && {
        notAfter: token.expiration.toISOString(),
        residualMs: token.expiration.getTime() - t.now.getTime(),
      }),
      ...rowStatus(
        findings.find(
          (f) =>
            statusOf(f) !== undefined &&
            "kind" in f.subject &&
            f.subject.kind === "Secret" &&
            f.subject.namespace === "kube-system" &&
            f.subject.name === token.name,
        ),
      ),
    });
  return sortRows(rows);
}

/** Soonest expiry first; rows without an expiry (unparsable, tokens that never expire) last. */
function sortRows(rows: ListingRow[]): ListingRow[] {
  return rows.sort(
    (a, b) =>
      (a.residualMs ?? Number.POSITIVE_INFINITY) - (b.residualMs ?? Number.POSITIVE_INFINITY) ||
      (a.location < b.location ? -1 : a.location > b.location ? 1 : 0),
  );
}

export function listingColumns(colors: Palette): Column<ListingRow>[] {
  const statusCell = (r: ListingRow) =>
    r.severity === "critical"
      ? colors.red(r.status)
      : r.severity === "warning"
        ? colors.yellow(r.status)
        : r.severity === "info"
          ? r.status
          : colors.green(r.status);
  return [
    { header: "SOURCE", value: (r) => r.source },
    { header: "LOCATION", value: (r) => r.location },
    { header: "SUBJECT", value: (r) => r.subject },
    { header: "ISSUER", value: (r) => r.issuer },
    { header: "EXPIRES", value: (r) => r.notAfter?.replace(/\.\d+Z$/, "Z") ?? "" },
    { header: "RESIDUAL", value: (r) => (r.residualMs === undefined ? "" : formatDuration(r.residualMs)) },
    { header: "STATUS", value: statusCell },
    { header: "SERIAL", value: (r) => r.serial ?? "", wide: true },
    { header: "SANS", value: (r) => (r.sans ?? []).join(","), wide: true },
    { header: "KEY", value: (r) => r.keyType ?? r.problem ?? "", wide: true },
    {
      header: "USED AS",
      value: (r) => (r.uses ?? []).map((u) => `${u.component} ${u.setting} (${u.role})`).join(", "),
      wide: true,
    },
  ];
}
