import { describe, expect, it } from "vitest";
import { type BootstrapRight, bootstrapRbacNotes } from "./bootstrap-rbac.js";

const granted = (file: boolean, nodeclient: boolean, selfnodeclient: boolean) =>
  new Map<BootstrapRight, boolean>([
    ["file-csrs", file],
    ["nodeclient", nodeclient],
    ["selfnodeclient", selfnodeclient],
  ]);

describe("TLS-bootstrap RBAC notes", () => {
  it("says nothing when kubeadm's three rights are granted", () => {
    expect(bootstrapRbacNotes(granted(true, true, true), [120_000])).toEqual([]);
  });

  it("names each missing right with the binding kubeadm would have made, filing CSRs as a warning", () => {
    expect(bootstrapRbacNotes(granted(false, false, false), [])).toEqual([
      {
        right: "file-csrs",
        case: "cannot-file-csrs",
        severity: "warning",
        message:
          "missing: bootstrap tokens may file CSRs (create certificatesigningrequests); without it a joining kubelet gets 403 (kubeadm's kubeadm:kubelet-bootstrap)",
        fix: "kubectl create clusterrolebinding kubeadm:kubelet-bootstrap --clusterrole=system:node-bootstrapper --group=system:bootstrappers:kubeadm:default-node-token",
      },
      {
        right: "nodeclient",
        case: "no-auto-approval",
        severity: "info",
        message:
          "missing: a bootstrap token's first client CSR is approved by the controller-manager (create certificatesigningrequests/nodeclient) (kubeadm's kubeadm:node-autoapprove-bootstrap)",
        fix: "kubectl create clusterrolebinding kubeadm:node-autoapprove-bootstrap --clusterrole=system:certificates.k8s.io:certificatesigningrequests:nodeclient --group=system:bootstrappers:kubeadm:default-node-token",
      },
      {
        right: "selfnodeclient",
        case: "no-auto-approval",
        severity: "info",
        message:
          "missing: a node's client certificate renewals are approved by the controller-manager (create certificatesigningrequests/selfnodeclient) (kubeadm's kubeadm:node-autoapprove-certificate-rotation)",
        fix: "kubectl create clusterrolebinding kubeadm:node-autoapprove-certificate-rotation --clusterrole=system:certificates.k8s.io:certificatesigningrequests:selfnodeclient --group=system:nodes",
      },
    ]);
  });

  it("warns about the missing auto-approval once a client CSR has been Pending for over a minute", () => {
    expect(bootstrapRbacNotes(granted(true, false, true), [59_000]).map((n) => n.severity)).toEqual(["info"]);
    const [note] = bootstrapRbacNotes(granted(true, false, true), [59_000, 61_000, 300_000]);
    expect(note?.severity).toBe("warning");
    expect(note?.case).toBe("client-csrs-waiting");
    expect(note?.message).toMatch(/; 2 kubelet client CSR\(s\) Pending for over a minute$/);
  });
});
