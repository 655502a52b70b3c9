import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import { coversAddress } from "@kubemend/lib/x509/certificate";
import { restartStaticPod } from "../kubeadm.js";
import type { FoundCert } from "../model.js";

/** What makes each component load its files again. */
function restartStep(component: string, file: string): string {
  // ReloadKubeletServerCertificateFile (beta, on by default since 1.31): the kubelet loads a new
  // certificate file by itself, but keeps serving the old pair while the new one does not load.
  if (component === "kubelet")
    return `kubelets since 1.31 load a new ${file} by themselves once it and its key match: check that the key beside it belongs to it (KEY_MISMATCH), then restart the kubelet on that node (systemctl restart kubelet); older kubelets need the restart in any case`;
  return `restart ${component} so it serves ${file}: ${restartStaticPod(component)}`;
}

/**
 * SERVED_DIFFERS_FROM_DISK: a component on this machine presents another certificate than the
 * file it serves from, which is what renewing a file without a restart leaves behind (S4). A file
 * is paired with an endpoint only when it covers that endpoint's address or node name, so another
 * control-plane node's certificate is never compared with this node's files.
 */
export function checkDrift(certs: readonly FoundCert[]): Finding[] {
  const findings: Finding[] = [];
  const onDisk = certs.filter((c) => c.serves && c.cert);
  for (const served of certs) {
    const at = served.served;
    if (served.role !== "leaf" || !served.cert || !at?.local) continue;
    const disk = onDisk.find(
      (d) =>
        d.serves === at.component &&
        d.cert &&
        (coversAddress(d.cert, at.host) || (at.nodeName !== undefined && coversAddress(d.cert, at.nodeName))),
    );
    if (!disk?.cert || disk.cert.sha256Fingerprint === served.cert.sha256Fingerprint) continue;
    const newer = disk.cert.notAfter > served.cert.notAfter;
    findings.push(
      finding("SERVED_DIFFERS_FROM_DISK", {
        subject: { endpoint: at.endpoint },
        message: `${at.component} at ${at.endpoint} serves serial ${served.cert.serial} (expires ${served.cert.notAfter.toISOString()}), but ${disk.location} holds serial ${disk.cert.serial}${newer ? " (renewed, not loaded yet)" : ""}`,
        evidence: {
          component: at.component,
          endpoint: at.endpoint,
          file: disk.location,
          servedSerial: served.cert.serial,
          servedNotAfter: served.cert.notAfter.toISOString(),
          diskSerial: disk.cert.serial,
          diskNotAfter: disk.cert.notAfter.toISOString(),
        },
        next: restartStep(at.component, disk.location),
      }),
    );
  }
  return findings;
}
