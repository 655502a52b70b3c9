import { chmod, writeFile } from "node:fs/promises";
import { dump } from "js-yaml";

export interface KubeconfigSpec {
  server: string;
  caPem: string;
  user: { certPem: string; keyPem: string } | { token: string };
  clusterName?: string;
  userName?: string;
  /** Default: "<userName>@<clusterName>", as kubeadm names it. */
  contextName?: string;
  namespace?: string;
}

const base64 = (text: string) => Buffer.from(text).toString("base64");

/** Writes a single-context kubeconfig (mode 0600) with everything embedded, as kubeadm does. */
export async function writeKubeconfig(path: string, spec: KubeconfigSpec): Promise<void> {
  const clusterName = spec.clusterName ?? "kubernetes";
  const userName = spec.userName ?? "kubernetes-admin";
  const contextName = spec.contextName ?? `${userName}@${clusterName}`;
  const user =
    "token" in spec.user
      ? { token: spec.user.token }
      : { "client-certificate-data": base64(spec.user.certPem), "client-key-data": base64(spec.user.keyPem) };
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: clusterName,
        cluster: { "certificate-authority-data": base64(spec.caPem), server: spec.server },
      },
    ],
    contexts: [
      {
        name: contextName,
        context: {
          cluster: clusterName,
          user: userName,
          ...(spec.namespace && { namespace: spec.namespace }),
        },
      },
    ],
    "current-context": contextName,
    preferences: {},
    users: [{ name: userName, user }],
  };
  await writeFile(path, dump(config), { mode: 0o600 });
  await chmod(path, 0o600);
}
