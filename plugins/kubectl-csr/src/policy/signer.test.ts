import { describe, expect, it } from "vitest";
import { signerRule } from "./signer.js";
import { servingCsr, underReview } from "./testing.js";

describe("signer rule", () => {
  it("holds for kubernetes.io/kubelet-serving", async () => {
    expect(signerRule(underReview(await servingCsr()))).toEqual([]);
  });

  it.each([
    "kubernetes.io/kube-apiserver-client-kubelet",
    "kubernetes.io/kube-apiserver-client",
    "example.com/kubelet-serving",
  ])("refuses %s", async (signerName) => {
    expect(signerRule(underReview(await servingCsr({ signerName })))).toEqual([
      { rule: "signer", message: `signer is ${signerName}, not kubernetes.io/kubelet-serving` },
    ]);
  });
});

describe("signer rule without a signer", () => {
  it("shows an empty signerName as (none)", async () => {
    expect(signerRule(underReview(await servingCsr({ signerName: "" })))).toEqual([
      { rule: "signer", message: "signer is (none), not kubernetes.io/kubelet-serving" },
    ]);
  });
});
