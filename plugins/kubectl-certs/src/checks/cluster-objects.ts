import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import {
  BOOTSTRAP_BINDINGS,
  type BootstrapRight,
  bootstrapRbacNotes,
} from "@kubemend/lib/kube/bootstrap-rbac";
import { formatDuration } from "@kubemend/lib/output/duration";
import type { ApiServiceState, BootstrapToken, RootCaCopy } from "../model.js";
import type { Thresholds } from "./thresholds.js";

/** APISERVICE_UNAVAILABLE: the aggregator cannot reach the service behind an APIService (S4's metrics.k8s.io). */
export function checkApiServices(apiServices: readonly ApiServiceState[]): Finding[] {
  return apiServices
    .filter((s) => s.available !== "True")
    .map((s) =>
      finding("APISERVICE_UNAVAILABLE", {
        subject: { kind: "APIService", name: s.name },
        message: `${s.name}: ${s.reason ?? "not Available"}${s.message ? `: ${s.message}` : ""}`,
        evidence: { service: s.service, available: s.available, reason: s.reason, message: s.message },
        next: `check the pods behind service ${s.service} and that the APIService caBundle holds the CA of their serving certificate (kubectl describe apiservice ${s.name})`,
      }),
    );
}

/** BOOTSTRAP_TOKEN_EXPIRED and BOOTSTRAP_TOKEN_EXPIRING (S5). */
export function checkBootstrapTokens(tokens: readonly BootstrapToken[], t: Thresholds): Finding[] {
  const findings: Finding[] = [];
  for (const token of tokens) {
    const subject = { kind: "Secret", namespace: "kube-system", name: token.name };
    const evidence = {
      tokenId: token.tokenId,
      expiration: token.expiration?.toISOString(),
      ...(token.deleting && { deleting: true }),
    };
    const next = "create a new token for joining nodes: kubeadm token create --print-join-command";
    if (token.badExpiration) {
      findings.push(
        finding("BOOTSTRAP_TOKEN_UNPARSABLE", {
          subject,
          message: `${token.name}: the expiration is not an RFC 3339 time`,
          evidence,
          next,
        }),
      );
      continue;
    }
    if (!token.expiration) continue;
    const left = token.expiration.getTime() - t.now.getTime();
    if (left <= 0)
      findings.push(
        finding("BOOTSTRAP_TOKEN_EXPIRED", {
          subject,
          message: `bootstrap token ${token.tokenId ?? token.name} expired ${formatDuration(-left)} ago (${token.expiration.toISOString()}): kubelets bootstrapping with it are refused`,
          evidence,
          next: `${next}; update the bootstrap kubeconfig of nodes that still use it`,
        }),
      );
    else if (left <= t.criticalWithinMs)
      findings.push(
        finding("BOOTSTRAP_TOKEN_EXPIRING", {
          subject,
          message: `bootstrap token ${token.tokenId ?? token.name} expires in ${formatDuration(left)}`,
          evidence,
          next,
        }),
      );
  }
  return findings;
}

/** ROOT_CA_STALE: a namespace's kube-root-ca.crt differs from kube-system's. */
export function checkRootCaCopies(copies: readonly RootCaCopy[]): Finding[] {
  const reference = copies.find((c) => c.namespace === "kube-system");
  if (!reference) return [];
  const key = (c: RootCaCopy) => [...c.fingerprints].sort().join(",");
  return copies
    .filter((c) => key(c) !== key(reference))
    .map((c) =>
      finding("ROOT_CA_STALE", {
        subject: { kind: "ConfigMap", namespace: c.namespace, name: "kube-root-ca.crt" },
        message: `kube-root-ca.crt in namespace ${c.namespace} differs from kube-system's: pods there trust another CA`,
        evidence: { fingerprints: c.fingerprints, kubeSystem: reference.fingerprints },
        next: `kubectl delete configmap kube-root-ca.crt -n ${c.namespace} (kube-controller-manager's root-ca publisher recreates it), then restart the pods of that namespace`,
      }),
    );
}

/**
 * TLS_BOOTSTRAP_RBAC_MISSING: a right of kubeadm's TLS bootstrap that RBAC grants nobody (S5):
 * joining kubelets cannot file their CSRs (warning), or their client CSRs and renewals wait
 * for a person (info).
 */
export function checkBootstrapRbac(
  rights: readonly { right: BootstrapRight; granted: boolean }[],
  tokens: readonly BootstrapToken[] = [],
): Finding[] {
  const granted = new Map(rights.map((r) => [r.right, r.granted]));
  // Without a bootstrap token no kubelet joins by TLS bootstrap (kubelets with certificates
  // issued by hand, as binary installs often have): that nobody may file a CSR is only a note.
  const joinable = tokens.some((t) => !t.deleting);
  return bootstrapRbacNotes(granted, []).map((note) =>
    finding("TLS_BOOTSTRAP_RBAC_MISSING", {
      case: note.case === "cannot-file-csrs" && !joinable ? "no-bootstrap-tokens" : note.case,
      subject: {
        kind: "ClusterRoleBinding",
        name: BOOTSTRAP_BINDINGS.find((b) => b.right === note.right)?.binding ?? "",
      },
      message: `TLS bootstrap: ${note.message}`,
      evidence: { right: note.right },
      next: note.fix,
    }),
  );
}
