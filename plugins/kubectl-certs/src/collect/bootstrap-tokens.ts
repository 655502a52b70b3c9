import { checkBootstrapRbac } from "@kubemend/lib/kube/bootstrap-rbac";
import type { KubeObject } from "@kubemend/lib/kube/client";
import type { BootstrapToken } from "../model.js";
import { decodeBase64 } from "./bundle.js";
import type { Source } from "./context.js";

interface Secret extends KubeObject {
  data?: Record<string, string>;
}

/** The expiry of each bootstrap token secret. Only token-id and expiration are decoded, never the token secret. */
export const bootstrapTokensSource: Source = async (ctx) => {
  const client = await ctx.client();
  const bootstrapTokens: BootstrapToken[] = [];
  for await (const secret of client.list<Secret>(
    { group: "", version: "v1", resource: "secrets", namespace: "kube-system" },
    { fieldSelector: "type=bootstrap.kubernetes.io/token" },
  )) {
    const field = (key: string) => {
      const value = secret.data?.[key];
      return value === undefined ? undefined : decodeBase64(value)?.toString("utf8");
    };
    const expirationText = field("expiration");
    const expiration = expirationText === undefined ? undefined : new Date(expirationText);
    const bad = expiration !== undefined && Number.isNaN(expiration.getTime());
    bootstrapTokens.push({
      name: secret.metadata.name,
      tokenId: field("token-id"),
      expiration: bad ? undefined : expiration,
      badExpiration: bad,
      deleting: secret.metadata.deletionTimestamp !== undefined,
    });
  }
  // Whether joining kubelets may file CSRs and have them approved: asked of RBAC, not read from
  // bindings by name. A caller who may not ask is told so, and the tokens still count.
  try {
    const rights = await checkBootstrapRbac(client);
    return { bootstrapTokens, bootstrapRbac: [...rights].map(([right, granted]) => ({ right, granted })) };
  } catch (err) {
    return {
      bootstrapTokens,
      warnings: [
        {
          source: "bootstrap-tokens",
          message: `TLS-bootstrap RBAC not checked: ${(err as Error).message}`,
          hint: "checking needs create on subjectaccessreviews.authorization.k8s.io",
        },
      ],
    };
  }
};
