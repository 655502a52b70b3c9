import type { CommandContext } from "../cli/app.js";
import type { ResourceRef } from "./client.js";
import { connect } from "./connect.js";

/**
 * The names of a resource, in the context's namespace when it is namespaced, for shell completion
 * (as kubectl completes `kubectl get pods <TAB>`).
 */
export async function resourceNames(
  ctx: Pick<CommandContext, "kube" | "env">,
  ref: Omit<ResourceRef, "namespace" | "name">,
  namespaced: boolean,
): Promise<string[]> {
  const client = await connect(ctx);
  const names: string[] = [];
  const namespace = namespaced ? client.config.namespace : undefined;
  for await (const item of client.list<{ metadata: { name: string } }>({ ...ref, namespace }))
    names.push(item.metadata.name);
  return names.sort();
}
