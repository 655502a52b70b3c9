import { checkSubjectAccess } from "@kubemend/lib/kube/access";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { type BootstrapRight, KUBEADM_TOKEN_GROUP } from "../policy/bootstrap-rbac.js";

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
