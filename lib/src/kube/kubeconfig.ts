import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { loadAll } from "js-yaml";
import { BadInputError, UsageError } from "../cli/errors.js";
import type { KubeFlags } from "../cli/kube-flags.js";

/** A kubeconfig entry as written in the file (`clusters[].cluster`, `users[].user`, ...). */
type Entry = Record<string, unknown>;
interface Named {
  name: string;
  entry: Entry;
}

/** The result of kubectl's loading rules plus the command-line overrides. */
export interface ResolvedKubeConfig {
  /** The files that were read, in precedence order; empty for in-cluster config. */
  files: string[];
  contextName: string;
  clusterName: string;
  userName: string;
  namespace: string;
  /** Whether -n or the context named the namespace (false when it is the "default" fallback). */
  namespaceExplicit: boolean;
  server: string;
  /** The selected cluster and user in kubeconfig file form, with paths made absolute. */
  cluster: Entry;
  user: Entry;
  impersonate?: { user?: string; groups: string[]; uid?: string };
  inCluster: boolean;
}

export interface LoadEnvironment {
  env: NodeJS.ProcessEnv;
  /** The service-account directory of in-cluster config; a parameter for tests. */
  serviceAccountDir?: string;
}

const PATH_FIELDS = {
  cluster: ["certificate-authority"],
  user: ["client-certificate", "client-key", "tokenFile"],
} as const;

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * Loads kubeconfig the way kubectl does (k8s.io/client-go/tools/clientcmd):
 * - `--kubeconfig` means exactly that file, which must exist;
 * - otherwise every existing file in KUBECONFIG, else ~/.kube/config;
 * - files merge with the FIRST file winning, for each named cluster, user and context and for
 *   current-context (client-node's own merge lets the last file win, so it is not used);
 * - relative paths resolve against the file that holds them;
 * - `--context`, `--cluster`, `--user`, `-n` and the connection flags override the result;
 * - with no kubeconfig at all inside a pod, the in-cluster service account is used.
 */
export function loadKubeConfig(
  flags: KubeFlags,
  { env, serviceAccountDir }: LoadEnvironment,
): ResolvedKubeConfig {
  const files = kubeconfigFiles(flags, env);
  const merged = mergeFiles(files);
  if (merged.clusters.size === 0 && merged.contexts.size === 0 && !flags.server) {
    const inCluster = inClusterConfig(env, serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
    if (inCluster) return applyOverrides(inCluster, flags);
    throw new UsageError(
      files.length === 0
        ? env.KUBECONFIG
          ? `no kubeconfig found: no file in KUBECONFIG (${env.KUBECONFIG}) exists`
          : "no kubeconfig found: KUBECONFIG is empty and ~/.kube/config does not exist"
        : `no clusters or contexts in ${files.join(", ")}`,
      "pass --kubeconfig, set KUBECONFIG, or run inside a pod with a service account",
    );
  }

  const contextName = flags.context ?? merged.currentContext ?? "";
  const context = contextName ? merged.contexts.get(contextName) : undefined;
  if (flags.context && !context)
    throw new UsageError(`context "${flags.context}" does not exist in ${describeFiles(files)}`);
  if (!context && !flags.server && !flags.cluster)
    throw new UsageError(
      contextName
        ? `current-context "${contextName}" does not exist in ${describeFiles(files)}`
        : `no current-context is set in ${describeFiles(files)}`,
      "pass --context, or set one with kubectl config use-context",
    );

  const clusterName = flags.cluster ?? str(context?.cluster) ?? "";
  const userName = flags.user ?? str(context?.user) ?? "";
  const cluster = clusterName ? merged.clusters.get(clusterName) : undefined;
  if (clusterName && !cluster && !flags.server)
    throw new UsageError(`cluster "${clusterName}" does not exist in ${describeFiles(files)}`);
  const user = userName ? merged.users.get(userName) : undefined;
  if (flags.user && !user)
    throw new UsageError(`user "${flags.user}" does not exist in ${describeFiles(files)}`);

  const contextNamespace = str(context?.namespace);
  return applyOverrides(
    {
      files,
      contextName,
      clusterName,
      userName,
      namespace: contextNamespace ?? "default",
      namespaceExplicit: contextNamespace !== undefined,
      server: str(cluster?.server) ?? "",
      cluster: { ...(cluster ?? {}) },
      user: { ...(user ?? {}) },
      inCluster: false,
    },
    flags,
  );
}

function kubeconfigFiles(flags: KubeFlags, env: NodeJS.ProcessEnv): string[] {
  if (flags.kubeconfig) {
    if (!existsSync(flags.kubeconfig))
      throw new UsageError(`--kubeconfig ${flags.kubeconfig}: no such file`, "check the path");
    return [path.resolve(flags.kubeconfig)];
  }
  if (env.KUBECONFIG) {
    const seen = new Set<string>();
    return env.KUBECONFIG.split(path.delimiter)
      .filter((p) => p !== "")
      .map((p) => path.resolve(p))
      .filter((p) => !seen.has(p) && seen.add(p) && existsSync(p));
  }
  const home = env.HOME ?? homedir();
  const fallback = path.join(home, ".kube", "config");
  return existsSync(fallback) ? [fallback] : [];
}

interface Merged {
  clusters: Map<string, Entry>;
  users: Map<string, Entry>;
  contexts: Map<string, Entry>;
  currentContext?: string;
}

function mergeFiles(files: readonly string[]): Merged {
  const merged: Merged = { clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const file of files) {
    const doc = parseFile(file);
    const dir = path.dirname(file);
    addFirst(merged.clusters, named(doc.clusters, "cluster", file), (e) =>
      absolutePaths(e, PATH_FIELDS.cluster, dir),
    );
    addFirst(merged.users, named(doc.users, "user", file), (e) => absolutePaths(e, PATH_FIELDS.user, dir));
    addFirst(merged.contexts, named(doc.contexts, "context", file), (e) => e);
    merged.currentContext ??= str(doc["current-context"]);
  }
  return merged;
}

function parseFile(file: string): Entry {
  let docs: unknown[];
  try {
    // loadAll, not load: js-yaml 5's load throws on an empty file, which client-go reads as an
    // empty config.
    docs = loadAll(readFileSync(file, "utf8"));
  } catch (err) {
    throw new BadInputError(`kubeconfig ${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (docs.length > 1) throw new BadInputError(`kubeconfig ${file} holds more than one YAML document`);
  const doc = docs[0];
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new BadInputError(`kubeconfig ${file} is not a mapping`);
  return doc as Entry;
}

function named(list: unknown, field: string, file: string): Named[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new BadInputError(`kubeconfig ${file}: ${field}s is not a list`);
  return list.map((item: Entry) => {
    if (typeof item?.name !== "string") throw new BadInputError(`kubeconfig ${file}: a ${field} has no name`);
    return { name: item.name, entry: (item[field] as Entry | undefined) ?? {} };
  });
}

function addFirst(into: Map<string, Entry>, items: Named[], prepare: (entry: Entry) => Entry): void {
  for (const { name, entry } of items) if (!into.has(name)) into.set(name, prepare(entry));
}

function absolutePaths(entry: Entry, fields: readonly string[], dir: string): Entry {
  const out = { ...entry };
  for (const field of fields) {
    const value = out[field];
    if (typeof value === "string" && value !== "" && !path.isAbsolute(value))
      out[field] = path.join(dir, value);
  }
  return out;
}

function inClusterConfig(env: NodeJS.ProcessEnv, dir: string): ResolvedKubeConfig | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = path.join(dir, "token");
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  const namespaceFile = path.join(dir, "namespace");
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, "utf8").trim() : "default";
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return {
    files: [],
    contextName: "in-cluster",
    clusterName: "in-cluster",
    userName: "in-cluster",
    namespace,
    namespaceExplicit: true,
    server: `https://${hostPart}:${port}`,
    cluster: { server: `https://${hostPart}:${port}`, "certificate-authority": path.join(dir, "ca.crt") },
    user: { tokenFile },
    inCluster: true,
  };
}

function applyOverrides(config: ResolvedKubeConfig, flags: KubeFlags): ResolvedKubeConfig {
  const cluster = { ...config.cluster };
  const user = { ...config.user };
  if (flags.server) cluster.server = flags.server;
  if (flags.certificateAuthority) {
    cluster["certificate-authority"] = path.resolve(flags.certificateAuthority);
    delete cluster["certificate-authority-data"];
  }
  if (flags.insecureSkipTlsVerify) {
    // client-go drops the CA when verification is turned off from the command line.
    cluster["insecure-skip-tls-verify"] = true;
    delete cluster["certificate-authority"];
    delete cluster["certificate-authority-data"];
  }
  if (flags.tlsServerName) cluster["tls-server-name"] = flags.tlsServerName;
  if (flags.clientCertificate) {
    user["client-certificate"] = path.resolve(flags.clientCertificate);
    delete user["client-certificate-data"];
  }
  if (flags.clientKey) {
    user["client-key"] = path.resolve(flags.clientKey);
    delete user["client-key-data"];
  }
  if (flags.token) {
    user.token = flags.token;
    delete user.tokenFile;
  }
  // The kubeconfig user's as/as-groups/as-uid apply too; a flag replaces its field, as in client-go.
  const fileGroups = Array.isArray(user["as-groups"]) ? (user["as-groups"] as unknown[]).map(String) : [];
  const asUser = flags.as ?? str(user.as);
  const asGroups = flags.asGroup.length > 0 ? flags.asGroup : fileGroups;
  const asUid = flags.asUid ?? str(user["as-uid"]);
  const impersonate =
    asUser || asGroups.length > 0 || asUid ? { user: asUser, groups: asGroups, uid: asUid } : undefined;
  if (impersonate && !impersonate.user)
    throw new UsageError("--as-group and --as-uid need --as", "name the user to impersonate with --as");
  const server = str(cluster.server) ?? "";
  if (!server)
    throw new UsageError(
      `cluster "${config.clusterName}" has no server address`,
      "pass --server or fix the kubeconfig's cluster entry",
    );
  return {
    ...config,
    cluster,
    user,
    server,
    namespace: flags.namespace ?? config.namespace,
    namespaceExplicit: flags.namespace !== undefined || config.namespaceExplicit,
    impersonate,
  };
}

function describeFiles(files: readonly string[]): string {
  return files.length === 0 ? "the kubeconfig" : files.join(path.delimiter);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
