import { subjectText } from "@kubemend/lib/findings/finding";
import { KUBEADM_CAS, KUBEADM_KUBECONFIGS, KUBEADM_LEAVES, restartStaticPod } from "../kubeadm.js";
import type { CertUse, FoundCert } from "../model.js";

const PROFILES = [...Object.values(KUBEADM_CAS), ...KUBEADM_LEAVES, ...KUBEADM_KUBECONFIGS];

export function kubeadmProfile(kubeadmName: string | undefined) {
  return kubeadmName === undefined ? undefined : PROFILES.find((p) => p.file === kubeadmName);
}

const CA_ROTATION = "https://kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates/";

/** What renews or replaces this certificate. */
export function renewalStep(found: FoundCert): string {
  const profile = kubeadmProfile(found.kubeadmName);
  if (profile?.isCA)
    return `kubeadm does not renew CA certificates: rotate ${found.location} by hand (${CA_ROTATION})`;
  if (profile?.renew) {
    const renew = `on each control-plane node: kubeadm certs renew ${profile.renew}`;
    if (profile.file === "admin.conf")
      return `${renew}, then copy /etc/kubernetes/admin.conf to ~/.kube/config`;
    return profile.component
      ? `${renew}, then restart ${profile.component}: ${restartStaticPod(profile.component)}`
      : renew;
  }
  switch (found.source) {
    case "node":
      return nodeRenewalStep(found);
    case "pki":
      return "the kubelet renews its own certificates when rotateCertificates (client) and serverTLSBootstrap (serving) are on in /var/lib/kubelet/config.yaml; check the kubelet log, and once the client certificate has expired, re-join the node";
    case "kubeconfig":
      return `get a new client certificate for context ${found.context}: on a control-plane node, kubeadm certs renew admin.conf and copy /etc/kubernetes/admin.conf, or kubeadm kubeconfig user --client-name <user>`;
    case "served":
      return `on each control-plane node: kubeadm certs renew apiserver, then restart kube-apiserver: ${restartStaticPod("kube-apiserver")}`;
    case "nodes":
      return `turn on serverTLSBootstrap in the kubelet config of ${subjectText(found.holder)}, restart the kubelet, and approve its kubelet-serving CSR (kubectl csr approve-serving)`;
    case "secrets":
      return found.holder && "namespace" in found.holder
        ? `renew it and update the secret: kubectl create secret tls ${found.holder.name} -n ${found.holder.namespace} --cert=<crt> --key=<key> --dry-run=client -o yaml | kubectl apply -f - (with cert-manager: cmctl renew -n ${found.holder.namespace} ${found.holder.name})`
        : "renew it and update the object that holds it";
    case "webhooks":
    case "apiservices":
      return `put the CA that signs the service's serving certificate into the caBundle of ${subjectText(found.holder)}`;
    case "ca":
    case "bootstrap-tokens":
      return `rotate the cluster CA (${CA_ROTATION})`;
  }
}

/** kubeadm certs renew keeps the old SANs, so new ones need a newly generated certificate. */
export function addSansStep(missing: readonly string[]): string {
  return `add ${missing.join(", ")} to apiServer.certSANs in the kubeadm-config ConfigMap; on each control-plane node move /etc/kubernetes/pki/apiserver.{crt,key} aside, run kubeadm init phase certs apiserver --config <that ClusterConfiguration>, then restart kube-apiserver: ${restartStaticPod("kube-apiserver")}`;
}

/**
 * A binary install's certificate: reissued from its CA the way it was made (cfssl), then each
 * component that uses it restarted the way it runs. The kubelet's own files it renews itself.
 */
function nodeRenewalStep(found: FoundCert): string {
  const uses = found.uses ?? [];
  if (uses.some((u) => u.component === "kubelet" && /cert-dir/.test(u.setting)))
    return "the kubelet renews its own certificates when rotateCertificates is on; once the client certificate has expired, delete kubelet-client-current.pem and restart the kubelet with a --bootstrap-kubeconfig so it files a new CSR (kubectl csr approve-client)";
  return reissueStep(found.location, uses);
}

/** Reissue a binary install's certificate with cfssl (with more hosts, when given), and restart its users. */
export function reissueStep(
  location: string,
  uses: readonly CertUse[],
  addHosts: readonly string[] = [],
): string {
  const file = location.replace(/\s.*$/, "");
  const name = (file.split("/").pop() ?? file).replace(/\.(pem|crt)$/, "");
  const restarts = [
    ...new Set(uses.map((u) => (u.unit ? `systemctl restart ${u.unit}` : `restart ${u.component}`))),
  ];
  const hosts = addHosts.length > 0 ? `add ${addHosts.join(", ")} to "hosts" in ${name}-csr.json, ` : "";
  return `${hosts}reissue it from its CA as it was made (cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=kubernetes ${name}-csr.json | cfssljson -bare ${name}), copy it to ${file} on every node that uses it, then ${restarts.join(" and ") || "restart what uses it"}`;
}
