import type { KubeClient, ResourceRef } from "@kubemend/lib/kube/client";
import { KubeApiError } from "@kubemend/lib/kube/errors";
import { describe, expect, it } from "vitest";
import { servingCsr } from "../policy/testing.js";
import type { CertificateSigningRequest } from "../policy/types.js";
import { condition } from "./conditions.js";
import { decide } from "./decide.js";

const apiError = (status: number) => new KubeApiError(`status ${status}`, undefined, status);

/** An API server holding one CSR, enforcing resourceVersion on the approval subresource. */
function fakeServer(stored: CertificateSigningRequest) {
  const writes: { ref: ResourceRef; body: CertificateSigningRequest; query?: Record<string, string> }[] = [];
  const state = { current: stored as CertificateSigningRequest | undefined };
  const client = {
    async get() {
      if (!state.current) throw apiError(404);
      return structuredClone(state.current);
    },
    async replace(ref: ResourceRef, body: CertificateSigningRequest, query?: Record<string, string>) {
      writes.push({ ref, body, query });
      if (!state.current) throw apiError(404);
      if (body.metadata.resourceVersion !== state.current.metadata.resourceVersion) throw apiError(409);
      if (query?.dryRun !== "All") {
        const version = String(Number(state.current.metadata.resourceVersion) + 1);
        state.current = { ...body, metadata: { ...body.metadata, resourceVersion: version } };
      }
      return structuredClone(state.current);
    },
  } as unknown as KubeClient;
  return { client, writes, state };
}

const approved = condition("Approved", "KubemendApproveServing", "ok", new Date("2026-11-23T12:00:00Z"));

describe("decide", () => {
  it("writes the condition through the approval subresource, pinned to the checked resourceVersion", async () => {
    const csr = await servingCsr();
    const { client, writes, state } = fakeServer(structuredClone(csr));
    const result = await decide(client, csr, approved, {
      serverDryRun: false,
      recheck: async () => undefined,
    });
    expect(result).toMatchObject({ written: true, conflicts: 0 });
    expect(writes).toHaveLength(1);
    expect(writes[0]?.ref).toMatchObject({ name: "csr-abcde", subresource: "approval" });
    expect(writes[0]?.body.metadata.resourceVersion).toBe("100");
    expect(state.current?.status?.conditions).toEqual([
      {
        type: "Approved",
        status: "True",
        reason: "KubemendApproveServing",
        message: "ok",
        lastUpdateTime: "2026-11-23T12:00:00Z",
        lastTransitionTime: "2026-11-23T12:00:00Z",
      },
    ]);
  });

  it("sends dryRun=All and changes nothing with a server dry run", async () => {
    const csr = await servingCsr();
    const { client, writes, state } = fakeServer(structuredClone(csr));
    await decide(client, csr, approved, { serverDryRun: true, recheck: async () => undefined });
    expect(writes[0]?.query).toEqual({ dryRun: "All" });
    expect(state.current?.status).toBeUndefined();
  });

  it("on a 409 re-reads and rechecks, and writes nothing when the new version fails", async () => {
    const checked = await servingCsr();
    const replaced = await servingCsr({ sans: { ip: ["10.96.0.1"] } });
    replaced.metadata.resourceVersion = "101";
    const { client, writes, state } = fakeServer(replaced);
    const seen: string[] = [];
    const result = await decide(client, checked, approved, {
      serverDryRun: false,
      recheck: async (fresh) => {
        seen.push(fresh.metadata.resourceVersion ?? "");
        return "IP SAN 10.96.0.1 is in the Service CIDR";
      },
    });
    expect(result).toEqual({
      written: false,
      why: "changed",
      message: "IP SAN 10.96.0.1 is in the Service CIDR",
      conflicts: 1,
    });
    expect(seen).toEqual(["101"]);
    expect(writes).toHaveLength(1);
    expect(state.current?.status).toBeUndefined();
  });

  it("on a 409 approves the new version when it still passes, pinned to that version", async () => {
    const checked = await servingCsr();
    const touched = structuredClone(checked);
    touched.metadata.resourceVersion = "105";
    const { client, writes } = fakeServer(touched);
    const result = await decide(client, checked, approved, {
      serverDryRun: false,
      recheck: async () => undefined,
    });
    expect(result).toMatchObject({ written: true, conflicts: 1 });
    expect(writes.map((w) => w.body.metadata.resourceVersion)).toEqual(["100", "105"]);
  });

  it("gives up after repeated conflicts instead of retrying forever", async () => {
    const csr = await servingCsr();
    const stored = structuredClone(csr);
    stored.metadata.resourceVersion = "101";
    const { client, writes, state } = fakeServer(stored);
    const result = await decide(client, csr, approved, {
      serverDryRun: false,
      attempts: 3,
      recheck: async () => {
        const current = state.current as CertificateSigningRequest;
        current.metadata.resourceVersion = String(Number(current.metadata.resourceVersion) + 1);
        return undefined;
      },
    });
    expect(result).toMatchObject({ written: false, why: "error", conflicts: 3 });
    expect(writes).toHaveLength(3);
    expect(state.current?.status).toBeUndefined();
  });

  it("reports a CSR deleted meanwhile, and passes other errors on as its message", async () => {
    const csr = await servingCsr();
    const gone = fakeServer(structuredClone(csr));
    gone.state.current = undefined;
    expect(
      await decide(gone.client, csr, approved, { serverDryRun: false, recheck: async () => undefined }),
    ).toEqual({ written: false, why: "gone", message: "was deleted", conflicts: 0 });
    const forbidden = {
      replace: async () => {
        throw new KubeApiError(
          "forbidden: cannot update certificatesigningrequests/approval",
          undefined,
          403,
        );
      },
    } as unknown as KubeClient;
    expect(
      await decide(forbidden, csr, approved, { serverDryRun: false, recheck: async () => undefined }),
    ).toEqual({
      written: false,
      why: "error",
      message: "forbidden: cannot update certificatesigningrequests/approval",
      conflicts: 0,
    });
  });
});
