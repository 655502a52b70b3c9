import type { CommandContext } from "../cli/app.js";
import { KubeClient, parseRequestTimeout } from "./client.js";
import { loadKubeConfig } from "./kubeconfig.js";

/** The client for a command: kubeconfig by kubectl's rules, the global flags, --request-timeout. */
export async function connect(ctx: Pick<CommandContext, "kube" | "env">): Promise<KubeClient> {
  const config = loadKubeConfig(ctx.kube, { env: ctx.env });
  return KubeClient.create(config, { requestTimeoutMs: parseRequestTimeout(ctx.kube.requestTimeout) });
}
