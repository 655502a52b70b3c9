import type { Finding, Severity, Subject } from "./finding.js";

/**
 * Every finding code the plugins emit, as popeye's codes table: what it means, how severe it is
 * and where it is documented. A code whose severity depends on the situation names each situation
 * (a "case") with its severity, so a check says which situation it found and the catalogue alone
 * says how bad that is. docs/findings.md is generated from this table (npm run docs:findings).
 */
export interface CodeSpec {
  plugin: "certs" | "netcheck";
  /** The layer the code belongs to: for netcheck, the Debug Services layer its verdict names. */
  layer: string;
  severity: Severity | Readonly<Record<string, Severity>>;
  meaning: string;
  /** What to do in general; a finding's own `next` is specific to its subject. */
  next: string;
}

export const CATALOGUE = {
  // kubectl certs: expiry
  CERT_EXPIRED: {
    plugin: "certs",
    layer: "expiry",
    severity: "critical",
    meaning: "A certificate is past its notAfter: every client that verifies it refuses it.",
    next: "Renew it (kubeadm certs renew NAME, or reissue it from its CA), then restart what serves or uses it.",
  },
  CERT_EXPIRING: {
    plugin: "certs",
    layer: "expiry",
    severity: { "within-critical-window": "critical", "within-warning-window": "warning" },
    meaning:
      "A certificate expires within --warn-within (30 days); critical within --critical-within (7 days).",
    next: "Renew it before it expires, then restart what serves or uses it.",
  },
  CA_EXPIRING: {
    plugin: "certs",
    layer: "expiry",
    severity: { "within-critical-window": "critical", "within-warning-window": "warning" },
    meaning:
      "A CA certificate expires within --warn-within; every certificate it signed stops verifying with it.",
    next: "Rotate the CA (a new CA beside the old one in every bundle first), then reissue what it signed.",
  },
  CABUNDLE_EXPIRED: {
    plugin: "certs",
    layer: "expiry",
    severity: { "no-valid-ca-left": "critical", "valid-ca-beside-it": "warning" },
    meaning:
      "A CA in a webhook, APIService or secret CA bundle has expired. Critical when no CA in the bundle is still valid; a warning mid-rotation, while a valid CA sits beside it.",
    next: "Remove the expired CA from the bundle once nothing it signed is still served.",
  },
  CERT_NOT_YET_VALID: {
    plugin: "certs",
    layer: "expiry",
    severity: "critical",
    meaning: "A certificate's notBefore is in the future: a clock is wrong, here or where it was issued.",
    next: "Check the clocks (timedatectl) of this machine and the issuer's, or reissue it.",
  },
  CERT_UNPARSABLE: {
    plugin: "certs",
    layer: "expiry",
    severity: "warning",
    meaning: "A value that should hold a PEM certificate does not parse.",
    next: "Replace the value with a PEM certificate, or remove it.",
  },
  // kubectl certs: chains and keys
  CHAIN_INCOMPLETE: {
    plugin: "certs",
    layer: "chain",
    severity: "critical",
    meaning: "The chain lacks an intermediate CA, so clients that trust only the root cannot verify it.",
    next: "Append the missing intermediate CA certificate after the leaf.",
  },
  CA_MISMATCH: {
    plugin: "certs",
    layer: "chain",
    severity: "critical",
    meaning: "The certificate was not signed by the CA its clients trust.",
    next: "Reissue it from the CA that clients trust, or give clients the CA that signed it.",
  },
  CHAIN_WRONG_ORDER: {
    plugin: "certs",
    layer: "chain",
    severity: "warning",
    meaning: "The chain is not stored leaf first, each certificate followed by its issuer.",
    next: "Store the chain leaf first, each certificate followed by its issuer.",
  },
  CHAIN_UNRELATED_CERT: {
    plugin: "certs",
    layer: "chain",
    severity: "info",
    meaning: "The bundle holds a certificate that is not part of the chain.",
    next: "Remove the certificate that is not part of the chain.",
  },
  CHAIN_ISSUER_EXPIRES_FIRST: {
    plugin: "certs",
    layer: "chain",
    severity: "warning",
    meaning: "The issuing CA expires before the leaf: the leaf stops verifying when the CA does.",
    next: "Renew the issuing CA before it expires.",
  },
  KEY_MISMATCH: {
    plugin: "certs",
    layer: "chain",
    severity: "critical",
    meaning: "The private key stored beside a certificate does not belong to it: the pair cannot serve.",
    next: "Store the key the certificate was requested with, or reissue the certificate for this key.",
  },
  CSR_UNPARSABLE: {
    plugin: "certs",
    layer: "chain",
    severity: "warning",
    meaning: "A CertificateSigningRequest's spec.request is not a PEM certificate request.",
    next: "Delete the CSR; the requester files a new one.",
  },
  // kubectl certs: kubeadm's PKI and the API server's names
  PKI_PROFILE_MISMATCH: {
    plugin: "certs",
    layer: "kubeadm",
    severity: "warning",
    meaning: "A kubeadm PKI file differs from kubeadm's profile for it (CN, O, CA flag or key usages).",
    next: "Renew it with kubeadm certs renew, which writes kubeadm's profile.",
  },
  SAN_MISSING: {
    plugin: "certs",
    layer: "sans",
    severity: { "address-in-use": "critical", "address-unused": "info" },
    meaning:
      "A serving certificate (the API server's, etcd's) does not cover an address. Critical when a client or a component is configured to use that address: it fails to verify the certificate. Info for an address only a profile expects (kubeadm's ::1) that nothing here dials.",
    next: "Add the address to the certSANs, then regenerate the certificate (kubeadm init phase certs apiserver) and restart the API server.",
  },
  CERT_USAGE_MISSING: {
    plugin: "certs",
    layer: "roles",
    severity: "critical",
    meaning:
      "A component uses a certificate in a role its extended key usages do not allow: a client certificate without clientAuth, a serving one without serverAuth, an etcd peer certificate without both. The other side refuses the handshake.",
    next: 'Reissue it with the usages of its role (cfssl: a profile with "server auth" and "client auth"), then restart the component.',
  },
  TRUST_MISMATCH: {
    plugin: "certs",
    layer: "roles",
    severity: "critical",
    meaning:
      "A certificate one component presents does not chain to any CA the other side is configured to trust (--etcd-certfile against etcd's --trusted-ca-file, a kubeconfig's user against --client-ca-file, the API server's certificate against a kubeconfig's CA): every handshake between them fails.",
    next: "Reissue the certificate from the CA the other side trusts, or add its CA to that side's CA file, then restart both.",
  },
  NODE_COMPONENTS: {
    plugin: "certs",
    layer: "roles",
    severity: "info",
    meaning:
      "The Kubernetes processes on this node whose certificates were read, and how each is run (systemd unit, static pod, plain process).",
    next: "Nothing to do; run with --source node to read only these, or leave node out of --source to skip them.",
  },
  SERVED_DIFFERS_FROM_DISK: {
    plugin: "certs",
    layer: "drift",
    severity: "critical",
    meaning:
      "A component on this node serves another certificate than its file: a renewal that was not loaded, or the reverse.",
    next: "Restart the component so it loads the file (for static pods, move the manifest out and back).",
  },
  // kubectl certs: kubelets
  KUBELET_SELF_SIGNED: {
    plugin: "certs",
    layer: "kubelet",
    severity: "warning",
    meaning: "A kubelet serves a self-signed certificate: metrics-server and kubectl logs cannot verify it.",
    next: "serverTLSBootstrap: true in the kubelet config, restart the kubelet, then kubectl csr approve-serving.",
  },
  KUBELET_NO_IP_SAN: {
    plugin: "certs",
    layer: "kubelet",
    severity: "warning",
    meaning:
      'A kubelet serving certificate lacks the node\'s IP addresses: "x509: cannot validate certificate for IP".',
    next: "serverTLSBootstrap: true, then kubectl csr approve-serving; never --kubelet-insecure-tls.",
  },
  KUBELET_NAME_SAN_MISSING: {
    plugin: "certs",
    layer: "kubelet",
    severity: "warning",
    meaning: "A kubelet serving certificate lacks the node's host name or internal DNS name.",
    next: "serverTLSBootstrap: true, then kubectl csr approve-serving.",
  },
  KUBELET_SERVING_CSR_PENDING: {
    plugin: "certs",
    layer: "kubelet",
    severity: "warning",
    meaning: "A kubelet-serving CSR waits for approval: the kubelet serves no certificate until then.",
    next: "kubectl csr approve-serving NAME, which approves it only if it belongs to the node.",
  },
  KUBELET_UNREACHABLE: {
    plugin: "certs",
    layer: "kubelet",
    severity: "info",
    meaning: "No TLS handshake with a kubelet, so its serving certificate was not checked.",
    next: "Check that the kubelet runs and that its port (10250) is reachable from here.",
  },
  // kubectl certs: cluster objects
  APISERVICE_UNAVAILABLE: {
    plugin: "certs",
    layer: "cluster",
    severity: "critical",
    meaning:
      "The aggregator cannot reach the service behind an APIService (metrics.k8s.io and the like), often a CA bundle problem.",
    next: "kubectl describe apiservice NAME; check the pods behind its service and its caBundle.",
  },
  BOOTSTRAP_TOKEN_EXPIRED: {
    plugin: "certs",
    layer: "bootstrap",
    severity: "warning",
    meaning: "A bootstrap token has expired: kubelets that bootstrap with it are refused.",
    next: "kubeadm token create --print-join-command, and update the nodes' bootstrap kubeconfig.",
  },
  BOOTSTRAP_TOKEN_EXPIRING: {
    plugin: "certs",
    layer: "bootstrap",
    severity: "info",
    meaning: "A bootstrap token expires within --critical-within; normal for kubeadm's 24-hour tokens.",
    next: "Create a new token when nodes need to join after it expires.",
  },
  BOOTSTRAP_TOKEN_UNPARSABLE: {
    plugin: "certs",
    layer: "bootstrap",
    severity: "warning",
    meaning: "A bootstrap token's expiration is not an RFC 3339 time, so nobody can tell when it lapses.",
    next: "Delete the token and create a new one: kubeadm token create.",
  },
  TLS_BOOTSTRAP_RBAC_MISSING: {
    plugin: "certs",
    layer: "bootstrap",
    severity: {
      "cannot-file-csrs": "warning",
      "no-bootstrap-tokens": "info",
      "client-csrs-waiting": "warning",
      "no-auto-approval": "info",
    },
    meaning:
      "A right of kubeadm's TLS bootstrap is granted to nobody: joining kubelets cannot file CSRs (warning; info while the cluster has no bootstrap token, so no kubelet joins that way), or their client CSRs and renewals wait for a person (info; a warning once a client CSR has waited over a minute).",
    next: "kubectl csr list --fix-rbac, which applies kubeadm's bindings.",
  },
  ROOT_CA_STALE: {
    plugin: "certs",
    layer: "cluster",
    severity: "warning",
    meaning:
      "A namespace's kube-root-ca.crt holds another CA than kube-system's: pods there trust the wrong CA.",
    next: "Delete that ConfigMap (the controller-manager recreates it), then restart the namespace's pods.",
  },
  // kubectl netcheck, in the order of the Debug Services guide
  SVC_NOT_FOUND: {
    plugin: "netcheck",
    layer: "service",
    severity: "critical",
    meaning: "The Service does not exist in that namespace.",
    next: "Check the name and namespace; netcheck suggests similar names.",
  },
  SVC_EXTERNALNAME: {
    plugin: "netcheck",
    layer: "service",
    severity: { "points-at-ip": "warning", "points-at-name": "info" },
    meaning:
      "An ExternalName Service: DNS answers with a CNAME. A warning when it names an IP address, which a CNAME cannot carry.",
    next: "For an IP address, use a selector-less Service with an EndpointSlice.",
  },
  SVC_HEADLESS: {
    plugin: "netcheck",
    layer: "service",
    severity: "info",
    meaning: "A headless Service: DNS returns the endpoints' addresses and kube-proxy is not involved.",
    next: "Nothing to fix; test the endpoints directly.",
  },
  SVC_NO_SELECTOR: {
    plugin: "netcheck",
    layer: "service",
    severity: "info",
    meaning: "A Service without a selector: its endpoints come from a person or another controller.",
    next: "Check whoever publishes its EndpointSlices.",
  },
  DNS_UNHEALTHY: {
    plugin: "netcheck",
    layer: "dns",
    severity: {
      "no-cluster-dns": "critical",
      "service-missing": "critical",
      "no-pods": "critical",
      "no-pod-ready": "critical",
      "no-ready-endpoint": "critical",
      "some-pods-not-ready": "warning",
      "corefile-no-kubernetes-plugin": "critical",
      "corefile-no-upstream": "warning",
      "corefile-no-loop-plugin": "info",
    },
    meaning:
      "Cluster DNS (the kube-dns Service, CoreDNS pods and their Corefile) cannot answer, or only in part.",
    next: "kubectl netcheck dns names the broken part.",
  },
  TARGETPORT_MISSING: {
    plugin: "netcheck",
    layer: "definition",
    severity: { "no-pod-has-it": "critical", "some-pods-lack-it": "warning" },
    meaning: "A Service's named targetPort matches no containerPort of the selected pods.",
    next: "Add the named containerPort to the pod template, or set targetPort to the number.",
  },
  SELECTOR_NO_MATCH: {
    plugin: "netcheck",
    layer: "selector",
    severity: "critical",
    meaning: "The Service's selector matches no pod; netcheck names the near misses.",
    next: "Fix the selector or the pods' labels.",
  },
  PODS_NOT_READY: {
    plugin: "netcheck",
    layer: "endpoints",
    severity: {
      "pod-not-ready": "critical",
      "none-ready": "critical",
      "some-ready": "warning",
      "published-anyway": "warning",
    },
    meaning:
      "Selected pods are not Ready. Critical when none is and the Service does not publish not-ready addresses.",
    next: "kubectl describe pod; netcheck names the reason (image pull, probe, crash, scheduling).",
  },
  ENDPOINTS_EMPTY: {
    plugin: "netcheck",
    layer: "endpoints",
    severity: { "controller-not-publishing": "critical", "no-selector-no-slices": "warning" },
    meaning:
      "The Service's EndpointSlices list no endpoint although pods are eligible (the EndpointSlice controller is not publishing), or a selector-less Service has none.",
    next: "Check kube-controller-manager, or publish an EndpointSlice for a selector-less Service.",
  },
  ENDPOINTS_NOT_READY: {
    plugin: "netcheck",
    layer: "endpoints",
    severity: { "none-ready": "critical", stale: "warning" },
    meaning: "The Service's endpoints are not ready, or disagree with the pods' readiness (stale slices).",
    next: "kubectl get endpointslices -l kubernetes.io/service-name=NAME -o yaml; check kube-controller-manager.",
  },
  NODE_NOT_READY: {
    plugin: "netcheck",
    layer: "nodes",
    severity: "critical",
    meaning: "A node involved in the path is NotReady or does not exist.",
    next: "kubectl describe node; journalctl -u kubelet on the node.",
  },
  KUBE_PROXY_UNHEALTHY: {
    plugin: "netcheck",
    layer: "kube-proxy",
    severity: "critical",
    meaning:
      "The kube-proxy pod is not Ready, or missing, on a node involved: Service traffic there is not forwarded.",
    next: "kubectl logs the kube-proxy pod --previous; check its DaemonSet's tolerations.",
  },
  CNI_UNHEALTHY: {
    plugin: "netcheck",
    layer: "network",
    severity: "critical",
    meaning: "The CNI agent is not Ready on a node involved, or the node reports NetworkUnavailable.",
    next: "kubectl logs the CNI pod --previous; kubectl describe node.",
  },
  APISERVER_SVC_MISMATCH: {
    plugin: "netcheck",
    layer: "network",
    severity: {
      "service-missing": "critical",
      "no-ready-endpoint": "critical",
      "dead-endpoint": "critical",
      "wrong-port": "critical",
      "server-unlisted": "warning",
    },
    meaning:
      "The default/kubernetes Service does not lead to the running API servers: in-cluster clients (the CNI, controllers) time out.",
    next: "Check the API servers' --advertise-address and --endpoint-reconciler-type; a restart rewrites the endpoints.",
  },
  NETPOL_BLOCKS: {
    plugin: "netcheck",
    layer: "policy",
    severity: { "all-pods": "critical", "some-pods": "warning", "dns-egress": "critical" },
    meaning: "NetworkPolicies deny the traffic in question (to the Service's pods, or a pod's DNS egress).",
    next: "kubectl netcheck policy --from POD --to POD:PORT names the policies; add the allowing rule.",
  },
  NETPOL_SELECTS: {
    plugin: "netcheck",
    layer: "policy",
    severity: "info",
    meaning: "NetworkPolicies select the pod, so only what they allow reaches it.",
    next: "kubectl netcheck policy to test a given flow.",
  },
  PROBE_FAILED: {
    plugin: "netcheck",
    layer: "probe",
    severity: {
      "probe-pod": "critical",
      "api-server-proxy": "critical",
      "api-server-proxy-no-route": "warning",
    },
    meaning:
      "An active probe did not reach its target. From a probe pod that is what clients see. Through the API server's proxy, a refusal is the target's own answer, but a timeout or no route may only mean that the API server has no route to pod IPs (a warning, unless a probe pod agrees).",
    next: "Compare with --probe-pod, which probes from inside the cluster network.",
  },
  PROBE_INCOMPLETE: {
    plugin: "netcheck",
    layer: "probe",
    severity: "warning",
    meaning: "The probe pod did not finish within its deadline, so the path was not tested.",
    next: "Check that a pod can be scheduled and pull the probe image (--probe-image, --probe-deadline).",
  },
  PROBE_SKIPPED: {
    plugin: "netcheck",
    layer: "probe",
    severity: "info",
    meaning: "RBAC does not allow the probe (the proxy subresource, or creating a pod).",
    next: "kubectl auth can-i the verb named in the finding.",
  },
  AGENT_NOT_SEEN: {
    plugin: "netcheck",
    layer: "kube-proxy",
    severity: { "kube-proxy": "info", cni: "info" },
    meaning:
      "No kube-proxy (or CNI) pod runs in the cluster: it is a host service the API does not show (binary installs), or it is replaced (Cilium, kube-router). Not a failure: a layer kubemend could not see.",
    next: "Check it on the node: systemctl status kube-proxy, its /healthz on :10256, the KUBE-SVC rules; for the CNI, /etc/cni/net.d and its unit.",
  },
  NETCHECK_PARTIAL: {
    plugin: "netcheck",
    layer: "rbac",
    severity: "info",
    meaning: "Some layers were not checked because RBAC forbids reading them.",
    next: "kubectl auth can-i --list",
  },
} as const satisfies Record<string, CodeSpec>;

export type FindingCode = keyof typeof CATALOGUE;

/** The situations a code names, where its severity depends on one. */
export type CaseOf<C extends FindingCode> = (typeof CATALOGUE)[C]["severity"] extends string
  ? never
  : keyof (typeof CATALOGUE)[C]["severity"] & string;

type Fields = { subject: Subject; message: string; evidence?: Record<string, unknown>; next?: string };
export type FindingFields<C extends FindingCode> = [CaseOf<C>] extends [never]
  ? Fields
  : Fields & { case: CaseOf<C> };

export function isFindingCode(code: string): code is FindingCode {
  return Object.hasOwn(CATALOGUE, code);
}

/** The severity the catalogue gives a code, in one of its situations where it has several. */
export function severityOf(code: FindingCode, situation?: string): Severity {
  if (!isFindingCode(code)) throw new Error(`finding code ${code} is not in the catalogue`);
  const spec: CodeSpec = CATALOGUE[code];
  if (typeof spec.severity === "string") {
    recordEmitted(code, undefined);
    return spec.severity;
  }
  const severity = situation === undefined ? undefined : spec.severity[situation];
  if (severity === undefined) throw new Error(`finding ${code} has no case "${situation}"`);
  recordEmitted(code, situation);
  return severity;
}

/** A finding whose severity comes from the catalogue. */
export function finding<C extends FindingCode>(code: C, fields: FindingFields<C>): Finding {
  const { case: situation, ...rest } = fields as Fields & { case?: string };
  return { code, severity: severityOf(code, situation), ...rest };
}

/**
 * The unit tests record each code and case a severity was decided for (emitted.setup.ts), so
 * that one no test reaches fails catalogue.coverage.ts. Outside the tests: one property read.
 */
function recordEmitted(code: string, situation: string | undefined) {
  const record = (globalThis as { __kubemendEmitted?: Set<string> }).__kubemendEmitted;
  record?.add(situation === undefined ? code : `${code}/${situation}`);
}
