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
  return { bootstrapTokens };
};
