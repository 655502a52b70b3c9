// The csr workload: light Node objects and, per node, a valid pending kubelet-serving CSR filed
// as that node (admin impersonating system:node:<name>), as serverTLSBootstrap kubelets file them.

import { mapLimit } from "@kubemend/lib/concurrency";
import { KubeClient } from "@kubemend/lib/kube/client";
import { createCsr as createCsrPem, generateKey } from "@kubemend/lib/x509/issue";
import { CSRS } from "../../test/env/standin/api.js";
import { type CertificateSigningRequest, SERVING_SIGNER } from "../../test/env/standin/csr.js";
import { createLightNodes, type LightNode, nodePrefix } from "./nodes.js";
import { benchLabels } from "./objects.js";

export const GENERATOR = "serving-csrs";

export interface ServingRequest {
  node: LightNode;
  csrPem: string;
}

/** What an ECDSA kubelet asks for: no key encipherment. */
export const SERVING_USAGES = ["digital signature", "server auth"];

export interface CsrWorkload {
  seed: number | string;
  count: number;
  /** The cluster's address block (TestCluster.block), for the nodes' InternalIPs. */
  block: number;
}

/**
 * Registers the nodes and makes each one's key and PKCS#10 request (CN system:node:<name>,
 * O system:nodes, SANs its name and InternalIP), once: every run files the same requests anew.
 */
export async function prepareServingRequests(
  admin: KubeClient,
  workload: CsrWorkload,
): Promise<ServingRequest[]> {
  const nodes = await createLightNodes(admin, {
    block: workload.block,
    prefix: nodePrefix(GENERATOR, workload.seed),
    count: workload.count,
  });
  return mapLimit(nodes, 8, async (node) => {
    const key = await generateKey("ecdsa-p256");
    const csrPem = await createCsrPem({
      cn: `system:node:${node.name}`,
      o: ["system:nodes"],
      sans: { dns: [node.name], ip: [node.ip] },
      key: key.privateKey,
    });
    return { node, csrPem };
  });
}

/** A client that acts as the node, through the admin's right to impersonate. */
export function impersonateNode(admin: KubeClient, node: string): Promise<KubeClient> {
  return KubeClient.create(
    {
      ...admin.config,
      impersonate: { user: `system:node:${node}`, groups: ["system:nodes", "system:authenticated"] },
    },
    { requestTimeoutMs: 30_000 },
  );
}

/**
 * Files one pending CSR per request, each as its node, `concurrency` at a time, and returns their
 * names (generateName "csr-", as the kubelet's). Labelled with `run`, so one run's CSRs can be
 * found and deleted.
 */
export const RUN_LABEL = "bench.kubemend.dev/run";

export async function fileServingCsrs(
  admin: KubeClient,
  requests: readonly ServingRequest[],
  options: { seed: number | string; run: string; concurrency?: number },
): Promise<string[]> {
  const labels = { ...benchLabels(GENERATOR, options.seed), [RUN_LABEL]: options.run };
  return mapLimit(requests, options.concurrency ?? 16, async ({ node, csrPem }) => {
    const client = await impersonateNode(admin, node.name);
    const created = await client.create<CertificateSigningRequest>(CSRS, {
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { generateName: "csr-", labels },
      spec: {
        request: Buffer.from(csrPem).toString("base64"),
        signerName: SERVING_SIGNER,
        usages: SERVING_USAGES,
      },
    });
    return created.metadata.name;
  });
}
