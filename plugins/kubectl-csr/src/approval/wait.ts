import type { KubeClient } from "@kubemend/lib/kube/client";
import { CSRS } from "../collect/refs.js";
import type { CertificateSigningRequest } from "../policy/types.js";

export type WaitResult =
  | { state: "issued"; certificatePem: string }
  | { state: "failed"; message: string }
  | { state: "timeout" };

/** Polls one CSR until the signer issues its certificate or marks it Failed (or Denied). */
export async function waitForCertificate(
  client: KubeClient,
  name: string,
  timeoutMs: number,
  intervalMs = 500,
): Promise<WaitResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const csr = await client.get<CertificateSigningRequest>({ ...CSRS, name });
    const certificate = csr.status?.certificate;
    if (certificate)
      return { state: "issued", certificatePem: Buffer.from(certificate, "base64").toString() };
    const failed = csr.status?.conditions?.find(
      (c) => (c.type === "Failed" || c.type === "Denied") && (c.status ?? "True") === "True",
    );
    if (failed)
      return {
        state: "failed",
        message: `${failed.type}: ${[failed.reason, failed.message].filter(Boolean).join(": ")}`,
      };
    if (Date.now() >= deadline) return { state: "timeout" };
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))),
    );
  }
}
