// What a component's kubeconfig says: the server it dials, the CA it trusts, and the client
// certificate it presents (embedded or as files, relative paths against the kubeconfig's folder).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { load } from "js-yaml";

export interface ComponentKubeconfig {
  server?: string;
  /** PEM of the CA the component trusts for the API server. */
  caPem?: string;
  certPem?: string;
  /** Read only to check it matches the certificate; never printed. */
  keyPem?: string;
  /** Where the certificate is, when it is a file (client-certificate), as the component names it. */
  certFile?: string;
  problem?: string;
}

interface KubeconfigDoc {
  "current-context"?: string;
  clusters?: { name?: string; cluster?: Record<string, string> }[];
  users?: { name?: string; user?: Record<string, string> }[];
  contexts?: { name?: string; context?: { cluster?: string; user?: string } }[];
}

/**
 * The current context's cluster and user of the kubeconfig at `file` (as the component names it),
 * reading through `view` (the component's view of the filesystem: /proc/<pid>/root).
 */
export async function readComponentKubeconfig(
  file: string,
  view: (p: string) => string,
): Promise<ComponentKubeconfig> {
  let doc: KubeconfigDoc;
  try {
    doc = (load(await readFile(view(file), "utf8")) ?? {}) as KubeconfigDoc;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: code ? `cannot read (${code})` : "not a valid kubeconfig" };
  }
  const ctx =
    doc.contexts?.find((c) => c.name === doc["current-context"])?.context ?? doc.contexts?.[0]?.context;
  const cluster = (doc.clusters?.find((c) => c.name === ctx?.cluster) ?? doc.clusters?.[0])?.cluster ?? {};
  const user = (doc.users?.find((u) => u.name === ctx?.user) ?? doc.users?.[0])?.user ?? {};
  const dir = path.dirname(file);
  const material = async (data: string | undefined, ref: string | undefined): Promise<string | undefined> => {
    if (data) return Buffer.from(data, "base64").toString("utf8");
    if (!ref) return undefined;
    try {
      return await readFile(view(path.resolve(dir, ref)), "utf8");
    } catch {
      return undefined;
    }
  };
  const out: ComponentKubeconfig = {};
  if (cluster.server) out.server = cluster.server;
  const ca = await material(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  if (ca) out.caPem = ca;
  const cert = await material(user["client-certificate-data"], user["client-certificate"]);
  if (cert) out.certPem = cert;
  if (user["client-certificate"]) out.certFile = path.resolve(dir, user["client-certificate"]);
  const key = await material(user["client-key-data"], user["client-key"]);
  if (key) out.keyPem = key;
  return out;
}
