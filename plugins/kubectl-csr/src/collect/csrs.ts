import type { KubeClient } from "@kubemend/lib/kube/client";
import { isNotFound } from "@kubemend/lib/kube/errors";
import { isPending } from "../policy/state.js";
import type { CertificateSigningRequest } from "../policy/types.js";
import { CSRS } from "./refs.js";

export interface CsrQuery {
  signerName?: string;
  pendingOnly?: boolean;
}

/** Pages through the CSRs (limit/continue), filtered by signer on the server and by state here. */
export async function* listCsrs(
  client: KubeClient,
  query: CsrQuery = {},
): AsyncGenerator<CertificateSigningRequest> {
  const fieldSelector = query.signerName ? `spec.signerName=${query.signerName}` : undefined;
  for await (const csr of client.list<CertificateSigningRequest>(CSRS, { fieldSelector }))
    if (!query.pendingOnly || isPending(csr)) yield csr;
}

/** The named CSRs; names that do not exist come back in `missing`. */
export async function getCsrs(
  client: KubeClient,
  names: readonly string[],
): Promise<{ found: CertificateSigningRequest[]; missing: string[] }> {
  const found: CertificateSigningRequest[] = [];
  const missing: string[] = [];
  for (const name of new Set(names)) {
    try {
      found.push(await client.get<CertificateSigningRequest>({ ...CSRS, name }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      missing.push(name);
    }
  }
  return { found, missing };
}

/** The names of pending CSRs, for shell completion of approve-serving and deny. */
export async function pendingCsrNames(client: KubeClient, signerName?: string): Promise<string[]> {
  const names: string[] = [];
  for await (const csr of listCsrs(client, { signerName, pendingOnly: true })) names.push(csr.metadata.name);
  return names.sort();
}
