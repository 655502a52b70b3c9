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
  serial?: string;
  sans?: string[];
  keyType?: string;
  isCA?: boolean;
  problem?: string;
}

function status(notBefore: Date | undefined, notAfter: Date, t: Thresholds): ListingStatus {
  const left = notAfter.getTime() - t.now.getTime();
  if (notBefore && notBefore.getTime() > t.now.getTime()) return "NOT-YET-VALID";
  if (left <= 0) return "EXPIRED";
  if (left <= t.criticalWithinMs) return "CRITICAL";
  if (left <= t.warnWithinMs) return "EXPIRING";
  return "OK";
}

export function listingRows(
  certs: readonly FoundCert[],
  tokens: readonly BootstrapToken[],
  t: Thresholds,
): ListingRow[] {
  const rows: ListingRow[] = certs.map((found) => {
    const cert = found.cert;
    if (!cert)
      return {
        source: found.source,
        location: found.location,
        subject: "",
        issuer: "",
        status: "UNPARSABLE",
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
      status: status(cert.notBefore, cert.notAfter, t),
      serial: cert.serial,
      sans: [...cert.sans.dns, ...cert.sans.ip, ...cert.sans.email, ...cert.sans.uri],
      keyType: [key.type, key.curve ?? key.bits].filter((p) => p !== undefined).join(" "),
      isCA: cert.isCA,
    };
  });
  for (const token of tokens)
    rows.push({
      source: "bootstrap-tokens",
      location: `secret/kube-system/${token.name}`,
      subject: `bootstrap token ${token.tokenId ?? ""}`.trim(),
      issuer: "",
      ...(token.expiration
        ? {
            notAfter: token.expiration.toISOString(),
            residualMs: token.expiration.getTime() - t.now.getTime(),
            status: status(undefined, token.expiration, t),
          }
        : { status: token.badExpiration ? "UNPARSABLE" : "OK" }),
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
  const statusCell = (s: ListingStatus) =>
    s === "OK" ? colors.green(s) : s === "EXPIRING" ? colors.yellow(s) : colors.red(s);
  return [
    { header: "SOURCE", value: (r) => r.source },
    { header: "LOCATION", value: (r) => r.location },
    { header: "SUBJECT", value: (r) => r.subject },
    { header: "ISSUER", value: (r) => r.issuer },
    { header: "EXPIRES", value: (r) => r.notAfter?.replace(/\.\d+Z$/, "Z") ?? "" },
    { header: "RESIDUAL", value: (r) => (r.residualMs === undefined ? "" : formatDuration(r.residualMs)) },
    { header: "STATUS", value: (r) => statusCell(r.status) },
    { header: "SERIAL", value: (r) => r.serial ?? "", wide: true },
    { header: "SANS", value: (r) => (r.sans ?? []).join(","), wide: true },
    { header: "KEY", value: (r) => r.keyType ?? r.problem ?? "", wide: true },
  ];
}
