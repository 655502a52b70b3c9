import type { Argv } from "yargs";

/**
 * kubectl's global flags, with kubectl's meaning (k8s.io/cli-runtime genericclioptions). Every
 * plugin accepts all of them so that `kubectl certs --context prod` behaves like `kubectl get`.
 */
export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  allNamespaces: boolean;
  server?: string;
  token?: string;
  as?: string;
  asGroup: string[];
  asUid?: string;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  requestTimeout: string;
}

const GROUP = "Kubernetes flags (as in kubectl):";

export function withKubeFlags<T>(y: Argv<T>) {
  return y
    .option("kubeconfig", { type: "string", group: GROUP, describe: "Path to the kubeconfig file to use" })
    .option("context", {
      type: "string",
      group: GROUP,
      describe: "The name of the kubeconfig context to use",
    })
    .option("cluster", {
      type: "string",
      group: GROUP,
      describe: "The name of the kubeconfig cluster to use",
    })
    .option("user", { type: "string", group: GROUP, describe: "The name of the kubeconfig user to use" })
    .option("namespace", {
      alias: "n",
      type: "string",
      group: GROUP,
      describe: "If present, the namespace scope for this request",
    })
    .option("all-namespaces", {
      alias: "A",
      type: "boolean",
      default: false,
      group: GROUP,
      describe: "Act on objects across all namespaces",
    })
    .option("server", {
      alias: "s",
      type: "string",
      group: GROUP,
      describe: "The address and port of the Kubernetes API server",
    })
    .option("token", {
      type: "string",
      group: GROUP,
      describe: "Bearer token for authentication to the API server",
    })
    .option("as", { type: "string", group: GROUP, describe: "Username to impersonate for the operation" })
    .option("as-group", {
      type: "string",
      array: true,
      default: [] as string[],
      group: GROUP,
      describe: "Group to impersonate for the operation, repeat for several groups",
    })
    .option("as-uid", { type: "string", group: GROUP, describe: "UID to impersonate for the operation" })
    .option("certificate-authority", {
      type: "string",
      group: GROUP,
      describe: "Path to a cert file for the certificate authority",
    })
    .option("client-certificate", {
      type: "string",
      group: GROUP,
      describe: "Path to a client certificate file for TLS",
    })
    .option("client-key", { type: "string", group: GROUP, describe: "Path to a client key file for TLS" })
    .option("insecure-skip-tls-verify", {
      type: "boolean",
      default: false,
      group: GROUP,
      describe: "If true, the server's certificate will not be checked for validity",
    })
    .option("tls-server-name", {
      type: "string",
      group: GROUP,
      describe: "Server name to use for server certificate validation",
    })
    .option("request-timeout", {
      type: "string",
      default: "0",
      group: GROUP,
      describe: "How long to wait for a single server request (1s, 2m, 3h); 0 waits forever",
    });
}

/** Picks the KubeFlags out of parsed yargs arguments. */
export function kubeFlagsFrom(args: Record<string, unknown>): KubeFlags {
  const str = (key: string) => (typeof args[key] === "string" ? (args[key] as string) : undefined);
  const groups = args["as-group"];
  return {
    kubeconfig: str("kubeconfig"),
    context: str("context"),
    cluster: str("cluster"),
    user: str("user"),
    namespace: str("namespace"),
    allNamespaces: args["all-namespaces"] === true,
    server: str("server"),
    token: str("token"),
    as: str("as"),
    asGroup: Array.isArray(groups) ? groups.map(String) : [],
    asUid: str("as-uid"),
    certificateAuthority: str("certificate-authority"),
    clientCertificate: str("client-certificate"),
    clientKey: str("client-key"),
    insecureSkipTlsVerify: args["insecure-skip-tls-verify"] === true,
    tlsServerName: str("tls-server-name"),
    requestTimeout: str("request-timeout") ?? "0",
  };
}
