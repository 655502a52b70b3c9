import type { KubeClient } from "@kubemend/lib/kube/client";
import { isConflict, isNotFound } from "@kubemend/lib/kube/errors";
import { CSRS } from "../collect/refs.js";
import type { CertificateSigningRequest, CsrCondition } from "../policy/types.js";
import { withCondition } from "./conditions.js";

/**
 * Called with the CSR as it is now after a 409: undefined when the decision still stands (for that
 * version), else why it no longer does.
 */
export type Recheck = (fresh: CertificateSigningRequest) => Promise<string | undefined>;

export type DecisionResult =
  | { written: true; csr: CertificateSigningRequest; conflicts: number }
  | { written: false; why: "changed" | "gone" | "error"; message: string; conflicts: number };

export interface DecideOptions {
  /** dryRun=All: the API server validates and authorizes the write but does not persist it. */
  serverDryRun: boolean;
  recheck: Recheck;
  /** Writes tried before giving up on a CSR that keeps changing. */
  attempts?: number;
}

/**
 * Adds an Approved or Denied condition through the approval subresource, pinned to the
 * resourceVersion that was checked. A 409 means the CSR changed since: it is read again and
 * rechecked, and written only if the decision still holds for the new version. Any failure
 * leaves the CSR as it was.
 */
export async function decide(
  client: KubeClient,
  csr: CertificateSigningRequest,
  added: CsrCondition,
  options: DecideOptions,
): Promise<DecisionResult> {
  const ref = { ...CSRS, name: csr.metadata.name, subresource: "approval" };
  const query = options.serverDryRun ? { dryRun: "All" } : undefined;
  const attempts = options.attempts ?? 3;
  let current = csr;
  for (let conflicts = 0; ; conflicts++) {
    try {
      const written = await client.replace<CertificateSigningRequest>(
        ref,
        withCondition(current, added),
        query,
      );
      return { written: true, csr: written, conflicts };
    } catch (err) {
      if (isNotFound(err)) return { written: false, why: "gone", message: "was deleted", conflicts };
      if (!isConflict(err))
        return { written: false, why: "error", message: (err as Error).message, conflicts };
      if (conflicts + 1 >= attempts)
        return {
          written: false,
          why: "error",
          message: `kept changing (${attempts} conflicts); rerun to check it again`,
          conflicts: conflicts + 1,
        };
    }
    try {
      current = await client.get<CertificateSigningRequest>({ ...CSRS, name: csr.metadata.name });
    } catch (err) {
      if (isNotFound(err))
        return { written: false, why: "gone", message: "was deleted", conflicts: conflicts + 1 };
      return { written: false, why: "error", message: (err as Error).message, conflicts: conflicts + 1 };
    }
    const reason = await options.recheck(current);
    if (reason !== undefined)
      return { written: false, why: "changed", message: reason, conflicts: conflicts + 1 };
  }
}
