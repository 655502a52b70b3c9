import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import { type CertificateInfo, coversAddress, verifyIssuedBy } from "@kubemend/lib/x509/certificate";
import type { NodeServing } from "../model.js";

const APPROVE = "kubectl csr approve-serving";

/** KUBELET_SELF_SIGNED, KUBELET_NO_IP_SAN, KUBELET_NAME_SAN_MISSING, KUBELET_SERVING_CSR_PENDING, KUBELET_UNREACHABLE. */
export function checkKubelets(
  nodes: readonly NodeServing[],
  clusterCas: readonly CertificateInfo[],
): Finding[] {
  const findings: Finding[] = [];
  for (const node of nodes) {
    const subject = { kind: "Node", name: node.name };
    const evidence = {
      endpoint: node.endpoint,
      addresses: node.addresses.map((a) => `${a.type}=${a.address}`),
    };
    for (const csr of node.pendingCsrs)
      findings.push(
        finding("KUBELET_SERVING_CSR_PENDING", {
          subject,
          message: `kubelet-serving CSR ${csr.name} of node ${node.name} is Pending: the kubelet serves no certificate until it is approved`,
          evidence: { ...evidence, csr: csr.name, created: csr.created },
          next: `check the CSR and approve it: ${APPROVE} ${csr.name} (or kubectl certificate approve ${csr.name})`,
        }),
      );
    const leaf = node.chain?.[0];
    if (!leaf) {
      findings.push(
        finding("KUBELET_UNREACHABLE", {
          subject,
          message: `no TLS handshake with the kubelet of ${node.name}${node.endpoint ? ` at ${node.endpoint}` : ""}: ${node.error ?? "no certificate"}`,
          evidence: { ...evidence, error: node.error },
          ...(node.pendingCsrs.length === 0 && {
            next: "check that the kubelet runs and that port is reachable from here",
          }),
        }),
      );
      continue;
    }
    const certEvidence = {
      ...evidence,
      subject: leaf.subject.dn,
      issuer: leaf.issuer.dn,
      sans: [...leaf.sans.dns, ...leaf.sans.ip],
    };
    const fromCluster =
      clusterCas.some((ca) => verifyIssuedBy(leaf, ca)) ||
      (node.chain ?? [])
        .slice(1)
        .some((c) => clusterCas.some((ca) => ca.sha256Fingerprint === c.sha256Fingerprint));
    const top = node.chain?.[node.chain.length - 1] as CertificateInfo;
    if (!fromCluster && (top.selfSigned || leaf.selfSigned))
      findings.push(
        finding("KUBELET_SELF_SIGNED", {
          subject,
          message: `the kubelet of ${node.name} serves a self-signed certificate (${leaf.subject.dn}, issuer ${leaf.issuer.dn}): clients that verify it (metrics-server, kubectl logs) fail`,
          evidence: certEvidence,
          next: `set serverTLSBootstrap: true in /var/lib/kubelet/config.yaml on ${node.name}, restart the kubelet (systemctl restart kubelet), then approve its kubelet-serving CSR: ${APPROVE}`,
        }),
      );
    const ips = node.addresses.filter((a) => a.type === "InternalIP" || a.type === "ExternalIP");
    const missingIps = ips.filter((a) => !coversAddress(leaf, a.address)).map((a) => a.address);
    if (missingIps.length > 0)
      findings.push(
        finding("KUBELET_NO_IP_SAN", {
          subject,
          message: `the kubelet certificate of ${node.name} does not cover ${missingIps.join(", ")}${leaf.sans.ip.length === 0 ? " (it has no IP SANs at all)" : ""}: "x509: cannot validate certificate for ${missingIps[0]}"`,
          evidence: { ...certEvidence, missing: missingIps },
          next: `let the kubelet request a certificate with its addresses: serverTLSBootstrap: true on ${node.name}, then ${APPROVE}; do not turn verification off with --kubelet-insecure-tls`,
        }),
      );
    const missingNames = node.addresses
      .filter((a) => a.type === "Hostname" || a.type === "InternalDNS")
      .filter((a) => !coversAddress(leaf, a.address))
      .map((a) => a.address);
    if (missingNames.length > 0)
      findings.push(
        finding("KUBELET_NAME_SAN_MISSING", {
          subject,
          message: `the kubelet certificate of ${node.name} does not cover ${missingNames.join(", ")}`,
          evidence: { ...certEvidence, missing: missingNames },
          next: `serverTLSBootstrap: true on ${node.name}, then ${APPROVE}`,
        }),
      );
  }
  return findings;
}
