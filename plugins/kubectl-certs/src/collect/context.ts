import type { KubeFlags } from "@kubemend/lib/cli/kube-flags";
import type { KubeClient } from "@kubemend/lib/kube/client";
import type { ResolvedKubeConfig } from "@kubemend/lib/kube/kubeconfig";
import type { Collected } from "../model.js";

export interface SourceOptions {
  allContexts: boolean;
  pkiDir: string;
  kubeconfigDir: string;
  kubeletPkiDir: string;
  scanOpaque: boolean;
  /** Restricts secrets and ConfigMaps to one namespace (-n without -A). */
  namespace?: string;
  /** For each TLS handshake. */
  probeTimeoutMs: number;
  /** Handshakes in flight at once when probing kubelets. */
  concurrency: number;
  /** Page size of list calls (kubectl's --chunk-size). */
  chunkSize?: number;
  /** Where the node source reads processes from (tests point it at a fake /proc). */
  procRoot?: string;
}

export interface SourceContext {
  kubeFlags: KubeFlags;
  env: NodeJS.ProcessEnv;
  /** Throws what loading the kubeconfig threw, so only the sources that need it fail. */
  config(): ResolvedKubeConfig;
  /** Connected on first use; shared by the sources. */
  client(): Promise<KubeClient>;
  options: SourceOptions;
  /** The user named this source with --source (so a missing directory is worth a warning). */
  explicit: boolean;
}

export type SourceData = Partial<Omit<Collected, "warnings" | "read">> & {
  warnings?: Collected["warnings"];
  /** Nothing to read here (no PKI directory on this machine), which is not a failure either. */
  skipped?: true;
};

export type Source = (ctx: SourceContext) => Promise<SourceData>;
