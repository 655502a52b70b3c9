// Why kubelet client CSRs sit Pending (S5): the three ClusterRoleBindings `kubeadm init`
// makes for TLS bootstrap are missing. checkBootstrapRbac asks RBAC (SubjectAccessReviews); the
// rest is pure: the notes that name each missing right and the binding kubeadm would have made.
// kubectl csr list prints them, kubectl certs expiry reports them as findings.
import { type CaseOf, severityOf } from "../findings/catalogue.js";
import type { Severity } from "../findings/finding.js";
import { checkSubjectAccess } from "./access.js";
import type { KubeClient } from "./client.js";

/** kubeadm's default token group; a per-node token (S5) may be bound as system:bootstrappers. */
export const KUBEADM_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";

export type BootstrapRight = "file-csrs" | "nodeclient" | "selfnodeclient";

export interface BootstrapBinding {
  right: BootstrapRight;
  /** What the right lets happen, for people. */
  meaning: string;
  /** The ClusterRoleBinding `kubeadm init` creates for it. */
  binding: string;
  clusterRole: string;
  group: string;
}

export const BOOTSTRAP_BINDINGS: readonly BootstrapBinding[] = [
  {
    right: "file-csrs",
    meaning:
      "bootstrap tokens may file CSRs (create certificatesigningrequests); without it a joining kubelet gets 403",
    binding: "kubeadm:kubelet-bootstrap",
    clusterRole: "system:node-bootstrapper",
    group: KUBEADM_TOKEN_GROUP,
  },
  {
    right: "nodeclient",
    meaning:
      "a bootstrap token's first client CSR is approved by the controller-manager (create certificatesigningrequests/nodeclient)",
    binding: "kubeadm:node-autoapprove-bootstrap",
    clusterRole: "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
    group: KUBEADM_TOKEN_GROUP,
  },
  {
    right: "selfnodeclient",
    meaning:
      "a node's client certificate renewals are approved by the controller-manager (create certificatesigningrequests/selfnodeclient)",
    binding: "kubeadm:node-autoapprove-certificate-rotation",
    clusterRole: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    group: "system:nodes",
  },
];

export interface BootstrapRbacNote {
  right: BootstrapRight;
  /** The case of TLS_BOOTSTRAP_RBAC_MISSING, which gives the severity. */
  case: CaseOf<"TLS_BOOTSTRAP_RBAC_MISSING">;
  severity: Severity;
  message: string;
  /** The exact command that makes the binding kubeadm would have made. */
  fix: string;
}

export function createBindingCommand(b: BootstrapBinding): string {
  return `kubectl create clusterrolebinding ${b.binding} --clusterrole=${b.clusterRole} --group=${b.group}`;
}

/**
 * One note per missing right. Missing auto-approval is only information (approving client CSRs
 * by hand, or with approve-client, is a choice), until a kubelet client CSR has waited longer than
 * `pendingForMs` (a minute): then it is a warning.
 */
export function bootstrapRbacNotes(
  granted: ReadonlyMap<BootstrapRight, boolean>,
  pendingClientCsrAgesMs: readonly number[],
  pendingForMs = 60_000,
): BootstrapRbacNote[] {
  const stuck = pendingClientCsrAgesMs.filter((age) => age > pendingForMs).length;
  return BOOTSTRAP_BINDINGS.filter((b) => granted.get(b.right) === false).map((b) => {
    const situation =
      b.right === "file-csrs"
        ? "cannot-file-csrs"
        : b.right === "nodeclient" && stuck > 0
          ? "client-csrs-waiting"
          : "no-auto-approval";
    const waiting =
      b.right === "nodeclient" && stuck > 0
        ? `; ${stuck} kubelet client CSR(s) Pending for over a minute`
        : "";
    return {
      right: b.right,
      case: situation,
      severity: severityOf("TLS_BOOTSTRAP_RBAC_MISSING", situation),
      message: `missing: ${b.meaning} (kubeadm's ${b.binding})${waiting}`,
      fix: createBindingCommand(b),
    };
  });
}

const CERTIFICATES = { group: "certificates.k8s.io", resource: "certificatesigningrequests" };

/**
 * What RBAC grants a bootstrap token of kubeadm's default group and a node, asked with
 * SubjectAccessReviews: whichever bindings grant it, under whatever names.
 */
export async function checkBootstrapRbac(client: KubeClient): Promise<Map<BootstrapRight, boolean>> {
  const token = {
    user: "system:bootstrap:kubemnd",
    groups: ["system:bootstrappers", KUBEADM_TOKEN_GROUP, "system:authenticated"],
  };
  const node = { user: "system:node:kubemend-check", groups: ["system:nodes", "system:authenticated"] };
  const [file, nodeclient, selfnodeclient] = await Promise.all([
    checkSubjectAccess(client, token, { verb: "create", ...CERTIFICATES }),
    checkSubjectAccess(client, token, { verb: "create", ...CERTIFICATES, subresource: "nodeclient" }),
    checkSubjectAccess(client, node, { verb: "create", ...CERTIFICATES, subresource: "selfnodeclient" }),
  ]);
  return new Map<BootstrapRight, boolean>([
    ["file-csrs", file.allowed],
    ["nodeclient", nodeclient.allowed],
    ["selfnodeclient", selfnodeclient.allowed],
  ]);
}
