import { whoAmI } from "@kubemend/lib/kube/access";
import type { KubeClient } from "@kubemend/lib/kube/client";

/** The caller as the API server sees it (SelfSubjectReview), for condition messages. */
export async function callerName(client: KubeClient): Promise<string> {
  try {
    return (await whoAmI(client)).username || "an unknown user";
  } catch {
    return "an unknown user";
  }
}
