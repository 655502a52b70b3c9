import type { KubeClient, ResourceRef } from "./client.js";

export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface AccessVerdict extends AccessCheck {
  allowed: boolean;
  reason?: string;
}

const SSAR: ResourceRef = {
  group: "authorization.k8s.io",
  version: "v1",
  resource: "selfsubjectaccessreviews",
};

/** Asks the API server whether the caller may do each thing (SelfSubjectAccessReview). */
export async function checkAccess(
  client: KubeClient,
  checks: readonly AccessCheck[],
): Promise<AccessVerdict[]> {
  return Promise.all(
    checks.map(async (check) => {
      const review = await client.create<{ status?: { allowed?: boolean; reason?: string } }>(SSAR, {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        spec: { resourceAttributes: { ...check } },
      });
      return { ...check, allowed: review.status?.allowed === true, reason: review.status?.reason };
    }),
  );
}

const SAR: ResourceRef = { group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews" };

/**
 * Whether another subject (a user and its groups) may do a thing (SubjectAccessReview): what
 * RBAC grants a group, whatever bindings grant it, without reading the bindings by name.
 */
export async function checkSubjectAccess(
  client: KubeClient,
  subject: { user: string; groups: readonly string[] },
  check: AccessCheck,
): Promise<AccessVerdict> {
  const review = await client.create<{ status?: { allowed?: boolean; reason?: string } }>(SAR, {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: { user: subject.user, groups: [...subject.groups], resourceAttributes: { ...check } },
  });
  return { ...check, allowed: review.status?.allowed === true, reason: review.status?.reason };
}

/** "update certificatesigningrequests/approval.certificates.k8s.io" */
export function describeCheck(check: AccessCheck): string {
  const resource = check.subresource ? `${check.resource}/${check.subresource}` : check.resource;
  const group = check.group ? `.${check.group}` : "";
  const name = check.name ? ` "${check.name}"` : "";
  const scope = check.namespace ? ` in namespace "${check.namespace}"` : "";
  return `${check.verb} ${resource}${group}${name}${scope}`;
}

export interface UserInfo {
  username: string;
  groups: string[];
  uid?: string;
}

/** Who the API server thinks the caller is (SelfSubjectReview, like kubectl auth whoami). */
export async function whoAmI(client: KubeClient): Promise<UserInfo> {
  const review = await client.create<{ status?: { userInfo?: Partial<UserInfo> } }>(
    { group: "authentication.k8s.io", version: "v1", resource: "selfsubjectreviews" },
    { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
  );
  const info = review.status?.userInfo ?? {};
  return { username: info.username ?? "", groups: info.groups ?? [], uid: info.uid };
}
