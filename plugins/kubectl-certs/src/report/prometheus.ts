import type { FoundCert } from "../model.js";

type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function series(name: string, labels: Labels, value: number): string {
  const text = Object.entries(labels)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",");
  return text === "" ? `${name} ${value}` : `${name}{${text}} ${value}`;
}

/** x509-certificate-exporter's labels for where a certificate was found. */
function whereLabels(found: FoundCert): Labels {
  const holder = found.holder;
  const key = /\[([^\]]+)\]/.exec(found.location)?.[1] ?? "";
  if ("file" in holder) return { filepath: holder.file, filename: holder.file.split("/").pop() ?? "" };
  if ("endpoint" in holder) return { endpoint: holder.endpoint };
  if (holder.kind === "Secret")
    return { secret_namespace: holder.namespace ?? "", secret_name: holder.name, secret_key: key };
  if (holder.kind === "ConfigMap")
    return { configmap_namespace: holder.namespace ?? "", configmap_name: holder.name, configmap_key: key };
  return { [`${holder.kind.toLowerCase()}_name`]: holder.name };
}

/**
 * The node-exporter textfile format with x509-certificate-exporter's metric and label names, so
 * its dashboards and alerts work unchanged; `source` and `location` are kubemend's additions.
 */
export function renderPrometheus(certs: readonly FoundCert[], now: Date): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, values: [Labels, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of values) lines.push(series(name, labels, value));
  };
  const parsed = certs.filter((c) => c.cert);
  const labelled = parsed.map((found): [Labels, FoundCert] => {
    const cert = found.cert as NonNullable<FoundCert["cert"]>;
    return [
      {
        source: found.source,
        location: found.location,
        ...whereLabels(found),
        serial_number: cert.serial,
        subject_CN: cert.subject.cn ?? "",
        subject_O: cert.subject.o.join(","),
        issuer_CN: cert.issuer.cn ?? "",
        issuer_O: cert.issuer.o.join(","),
      },
      found,
    ];
  });
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
  metric(
    "x509_cert_not_before",
    "The date before which the certificate is not valid, as a Unix timestamp.",
    labelled.map(([l, f]) => [l, seconds((f.cert as NonNullable<FoundCert["cert"]>).notBefore)]),
  );
  metric(
    "x509_cert_not_after",
    "The date after which the certificate expires, as a Unix timestamp.",
    labelled.map(([l, f]) => [l, seconds((f.cert as NonNullable<FoundCert["cert"]>).notAfter)]),
  );
  metric(
    "x509_cert_expired",
    "1 when the certificate has expired, else 0.",
    labelled.map(([l, f]) => [l, (f.cert as NonNullable<FoundCert["cert"]>).notAfter <= now ? 1 : 0]),
  );
  metric("x509_read_errors", "Certificates that could not be parsed.", [[{}, certs.length - parsed.length]]);
  return `${lines.join("\n")}\n`;
}
