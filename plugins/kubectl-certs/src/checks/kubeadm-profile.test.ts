import { beforeAll, describe, expect, it } from "vitest";
import { found, type Issued, issue } from "../testing.js";
import { checkKubeadmProfiles } from "./kubeadm-profile.js";

// apiserver-kubelet-client.crt as each supported kubeadm writes it (certlist.go at the tag named):
// its O is the one subject that differs between v1.31 and v1.37.
describe("the kubeadm profile of apiserver-kubelet-client.crt", () => {
  let ca: Issued;
  const client = (o: string[] | undefined) =>
    issue({ cn: "kube-apiserver-kubelet-client", ...(o && { o }), usages: ["client auth"], signer: ca });
  const profiled = async (o: string[] | undefined) =>
    checkKubeadmProfiles([
      found(await client(o), {
        source: "pki",
        location: "/etc/kubernetes/pki/apiserver-kubelet-client.crt",
        holder: { file: "/etc/kubernetes/pki/apiserver-kubelet-client.crt" },
        kubeadmName: "apiserver-kubelet-client.crt",
      }),
    ]).map((f) => `${f.code} ${f.message}`);

  beforeAll(async () => {
    ca = await issue({ cn: "kubernetes", ca: true, to: 3650 });
  });

  it.each([
    ["v1.33.13, v1.36.1, v1.37.2 (no O; a ClusterRoleBinding names the CN)", undefined],
    ["v1.31.0, v1.31.14, v1.32.13, v1.34.4, v1.35.4", ["kubeadm:cluster-admins"]],
    ["before v1.29, kept after upgrades until renewed", ["system:masters"]],
  ])("accepts what kubeadm %s writes", async (_release, o) => {
    expect(await profiled(o)).toEqual([]);
  });

  it("still flags an O that no kubeadm writes", async () => {
    expect(await profiled(["system:nodes"])).toEqual([
      "PKI_PROFILE_MISMATCH /etc/kubernetes/pki/apiserver-kubelet-client.crt: O is [system:nodes], kubeadm expects [] or [kubeadm:cluster-admins] or [system:masters]",
    ]);
  });
});
