import type { KubeClient, ResourceRef } from "@kubemend/lib/kube/client";
import { isConflict, KubeApiError } from "@kubemend/lib/kube/errors";

const TRANSIENT = new Set([429, 500, 503]);

/**
 * The env's own creates, made safe to repeat: a transient failure (429, a 500 such as "etcdserver:
 * request timed out" after a slow fsync, 503) is tried again with backoff, and AlreadyExists,
 * also after a retry whose first attempt did land, counts as done. One slow disk must not fail
 * a whole test run.
 */
export async function apply(
  client: KubeClient,
  ref: ResourceRef,
  body: unknown,
  attempts = 5,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.create(ref, body);
      return;
    } catch (err) {
      if (isConflict(err)) return;
      const transient = err instanceof KubeApiError && err.status !== undefined && TRANSIENT.has(err.status);
      if (!transient || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));
    }
  }
}
