import { readFileSync } from "node:fs";
import type { ResolvedKubeConfig } from "@kubemend/lib/kube/kubeconfig";
import type { CertificateInfo } from "@kubemend/lib/x509/certificate";
import { parseCertificateBundle } from "@kubemend/lib/x509/pem";
import { decodeBase64 } from "./bundle.js";

/** The CA certificates the kubeconfig tells clients to trust; undefined when it names none. */
export function kubeconfigTrust(config: ResolvedKubeConfig): CertificateInfo[] | undefined {
  const data = config.cluster["certificate-authority-data"];
  const file = config.cluster["certificate-authority"];
  let content: Buffer | undefined;
  if (typeof data === "string" && data !== "") content = decodeBase64(data);
  else if (typeof file === "string" && file !== "")
    try {
      content = readFileSync(file);
    } catch {
      content = undefined;
    }
  return content && parseCertificateBundle(content).certificates;
}
