import { mapLimit } from "@kubemend/lib/concurrency";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { isNotFound } from "@kubemend/lib/kube/errors";
import type { BootstrapToken } from "../policy/client.js";

interface TokenSecret {
  type?: string;
  data?: Record<string, string>;
}

const decode = (value: string | undefined) =>
  value === undefined ? undefined : Buffer.from(value, "base64").toString("utf8");

/**
 * The bootstrap token Secrets (kube-system/bootstrap-token-<id>) of these token ids, read one by
 * one by name (the approver may get them, never list them). Only the expiration and the usage are
 * kept: the token's secret half is never read into the result. A missing id is absent.
 */
export async function getBootstrapTokens(
  client: KubeClient,
  ids: Iterable<string>,
): Promise<Map<string, BootstrapToken>> {
  const tokens = new Map<string, BootstrapToken>();
  await mapLimit([...new Set(ids)], 8, async (id) => {
    try {
      const secret = await client.get<TokenSecret>({
        group: "",
        version: "v1",
        resource: "secrets",
        namespace: "kube-system",
        name: `bootstrap-token-${id}`,
      });
      if (secret.type !== "bootstrap.kubernetes.io/token") return;
      const expiration = decode(secret.data?.expiration);
      tokens.set(id, {
        id,
        ...(expiration !== undefined && { expiration }),
        usableForAuthentication: decode(secret.data?.["usage-bootstrap-authentication"]) === "true",
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  });
  return tokens;
}
