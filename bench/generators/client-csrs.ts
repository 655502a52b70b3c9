// The approve-client workload: per joining node, a valid pending kubelet client CSR filed with the
// cluster's bootstrap token (admin impersonating system:bootstrap:<id> and the token's groups), as
// a kubelet files its first one during TLS bootstrap.

import { mapLimit } from "@kubemend/lib/concurrency";
import { KubeClient } from "@kubemend/lib/kube/client";
import { createCsr as createCsrPem, generateKey } from "@kubemend/lib/x509/issue";
import { BOOTSTRAP_TOKEN_GROUP, BOOTSTRAP_TOKEN_ID } from "../../test/env/cluster.js";
import { CSRS } from "../../test/env/standin/api.js";
import type { CertificateSigningRequest } from "../../test/env/standin/csr.js";
import { benchLabels } from "./objects.js";
import { RUN_LABEL } from "./serving-csrs.js";

export const CLIENT_GENERATOR = "client-csrs";
const CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";

/** One request per joining node (no Node object yet: bootstrap comes before registration), made once. */
export async function prepareClientRequests(seed: number | string, count: number): Promise<string[]> {
  return mapLimit(
    Array.from({ length: count }, (_, i) => `join-${seed}-${i}`),
    8,
    async (node) => {
      const key = await generateKey("ecdsa-p256");
      return createCsrPem({ cn: `system:node:${node}`, o: ["system:nodes"], key: key.privateKey });
    },
  );
}

/** Files every request anew with the bootstrap token's identity, labelled with `run`; returns the names. */
export async function fileClientCsrs(
  admin: KubeClient,
  requests: readonly string[],
  options: { seed: number | string; run: string; concurrency?: number },
): Promise<string[]> {
  const labels = { ...benchLabels(CLIENT_GENERATOR, options.seed), [RUN_LABEL]: options.run };
  const token = await KubeClient.create(
    {
      ...admin.config,
      impersonate: {
        user: `system:bootstrap:${BOOTSTRAP_TOKEN_ID}`,
        groups: ["system:bootstrappers", BOOTSTRAP_TOKEN_GROUP, "system:authenticated"],
      },
    },
    { requestTimeoutMs: 30_000 },
  );
  return mapLimit(requests, options.concurrency ?? 16, async (csrPem) => {
    const created = await token.create<CertificateSigningRequest>(CSRS, {
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { generateName: "node-csr-", labels },
      spec: {
        request: Buffer.from(csrPem).toString("base64"),
        signerName: CLIENT_SIGNER,
        usages: ["digital signature", "client auth"],
      },
    });
    return created.metadata.name;
  });
}
