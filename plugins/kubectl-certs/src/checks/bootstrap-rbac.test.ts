import { describe, expect, it } from "vitest";
import { checkBootstrapRbac } from "./cluster-objects.js";

describe("TLS_BOOTSTRAP_RBAC_MISSING", () => {
  it("is silent when kubeadm's three rights are granted, or when nobody asked", () => {
    expect(
      checkBootstrapRbac([
        { right: "file-csrs", granted: true },
        { right: "nodeclient", granted: true },
        { right: "selfnodeclient", granted: true },
      ]),
    ).toEqual([]);
    expect(checkBootstrapRbac([])).toEqual([]);
  });

  it("names the binding kubeadm would have made, with the command that makes it", () => {
    const findings = checkBootstrapRbac([
      { right: "file-csrs", granted: true },
      { right: "nodeclient", granted: false },
      { right: "selfnodeclient", granted: true },
    ]);
    expect(findings).toEqual([
      {
        code: "TLS_BOOTSTRAP_RBAC_MISSING",
        severity: "info",
        subject: { kind: "ClusterRoleBinding", name: "kubeadm:node-autoapprove-bootstrap" },
        message:
          "TLS bootstrap: missing: a bootstrap token's first client CSR is approved by the controller-manager (create certificatesigningrequests/nodeclient) (kubeadm's kubeadm:node-autoapprove-bootstrap)",
        evidence: { right: "nodeclient" },
        next: "kubectl create clusterrolebinding kubeadm:node-autoapprove-bootstrap --clusterrole=system:certificates.k8s.io:certificatesigningrequests:nodeclient --group=system:bootstrappers:kubeadm:default-node-token",
      },
    ]);
  });
});

describe("TLS_BOOTSTRAP_RBAC_MISSING severities", () => {
  const rights = [
    { right: "file-csrs", granted: false },
    { right: "nodeclient", granted: false },
    { right: "selfnodeclient", granted: true },
  ] as const;
  it("a kubelet that cannot file its CSR at all is a warning; missing auto-approval is information", () => {
    const findings = checkBootstrapRbac(rights, [
      { name: "bootstrap-token-abcdef", tokenId: "abcdef", deleting: false },
    ]);
    expect(findings.map((f) => [f.subject, f.severity])).toEqual([
      [{ kind: "ClusterRoleBinding", name: "kubeadm:kubelet-bootstrap" }, "warning"],
      [{ kind: "ClusterRoleBinding", name: "kubeadm:node-autoapprove-bootstrap" }, "info"],
    ]);
  });

  it("with no bootstrap token (or only one being deleted) nobody joins that way: a note", () => {
    for (const tokens of [[], [{ name: "bootstrap-token-old", deleting: true }]]) {
      const findings = checkBootstrapRbac(rights, tokens);
      expect(findings.map((f) => f.severity)).toEqual(["info", "info"]);
    }
  });
});
