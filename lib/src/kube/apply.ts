import { type KubeClient, type ResourceRef, resourcePath } from "./client.js";

/**
 * Server-side apply of one object, as `kubectl apply --server-side --force-conflicts` does: the
 * caller's field manager owns what it sets, and running it again changes only that.
 */
export async function serverSideApply(
  client: KubeClient,
  ref: ResourceRef,
  object: unknown,
  options: { fieldManager: string; serverDryRun?: boolean },
): Promise<void> {
  await client.request({
    method: "PATCH",
    path: resourcePath(ref),
    query: {
      fieldManager: options.fieldManager,
      force: "true",
      ...(options.serverDryRun && { dryRun: "All" }),
    },
    body: object,
    contentType: "application/apply-patch+yaml",
    verb: "patch",
    ref,
  });
}
