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

describe("checkKubeadmProfiles, findings in full", () => {
  let ca: Issued;
  beforeAll(async () => {
    ca = await issue({ cn: "kubernetes", ca: true, to: 3650 });
  });
  const pki = (name: string, location = `/etc/kubernetes/pki/${name}`) => ({
    source: "pki" as const,
    location,
    holder: { file: location },
    kubeadmName: name,
  });

  it("a wrong CN, a CA flag and missing usages and SANs on apiserver.crt", async () => {
    const cert = await issue({
      cn: "apiserver",
      ca: true,
      sans: { dns: ["kubernetes"] },
      usages: ["client auth"],
      signer: ca,
      serial: "0c",
    });
    const findings = checkKubeadmProfiles([found(cert, pki("apiserver.crt"))]);
    const evidence = {
      source: "pki",
      location: "/etc/kubernetes/pki/apiserver.crt",
      subject: "CN=apiserver",
      issuer: "CN=kubernetes",
      serial: "0c",
      notBefore: cert.info.notBefore.toISOString(),
      notAfter: cert.info.notAfter.toISOString(),
      expected: { cn: "kube-apiserver", o: undefined, extKeyUsages: ["server auth"] },
    };
    expect(findings).toEqual([
      {
        code: "PKI_PROFILE_MISMATCH",
        severity: "warning",
        subject: { file: "/etc/kubernetes/pki/apiserver.crt" },
        message:
          '/etc/kubernetes/pki/apiserver.crt: CN is "apiserver", kubeadm expects "kube-apiserver"; it is a CA; it lacks the usages server auth',
        evidence,
        next: expect.stringMatching(
          /^on each control-plane node: kubeadm certs renew apiserver, then restart kube-apiserver: /,
        ),
      },
      {
        code: "SAN_MISSING",
        severity: "critical",
        subject: { file: "/etc/kubernetes/pki/apiserver.crt" },
        message:
          "/etc/kubernetes/pki/apiserver.crt does not cover kubernetes.default, kubernetes.default.svc",
        evidence: {
          ...evidence,
          missing: ["kubernetes.default", "kubernetes.default.svc"],
          sans: ["kubernetes"],
        },
        next: expect.stringMatching(
          /^add kubernetes\.default, kubernetes\.default\.svc to apiServer\.certSANs /,
        ),
      },
    ]);
  });

  it("a CA file that is not a CA, and all missing usages listed", async () => {
    const notCa = await issue({ cn: "etcd-ca", usages: [], signer: ca });
    const leaf = await issue({ cn: "kube-etcd-healthcheck-client", usages: [], signer: ca });
    const both = await issue({ cn: "x", usages: [], signer: ca });
    expect(
      checkKubeadmProfiles([
        found(notCa, pki("etcd/ca.crt")),
        found(leaf, pki("etcd/healthcheck-client.crt")),
        found(both, pki("etcd/server.crt")),
      ]).map((f) => f.message),
    ).toEqual([
      "/etc/kubernetes/pki/etcd/ca.crt: it is not a CA",
      "/etc/kubernetes/pki/etcd/healthcheck-client.crt: it lacks the usages client auth",
      "/etc/kubernetes/pki/etcd/server.crt: it lacks the usages server auth, client auth",
      "/etc/kubernetes/pki/etcd/server.crt does not cover localhost, 127.0.0.1, ::1 (kubeadm's profile has it; nothing on this node dials it)",
    ]);
  });

  it("etcd's loopback SANs: critical for the ones a component here dials, a note for the rest", async () => {
    const server = await issue({ cn: "x", usages: ["server auth", "client auth"], signer: ca });
    const findings = checkKubeadmProfiles(
      [found(server, pki("etcd/server.crt"))],
      new Set(["127.0.0.1", "10.0.0.1"]),
    );
    expect(
      findings.map((f) => [f.code, f.severity, f.message, (f.evidence as { missing: string[] }).missing]),
    ).toEqual([
      [
        "SAN_MISSING",
        "critical",
        "/etc/kubernetes/pki/etcd/server.crt does not cover 127.0.0.1",
        ["127.0.0.1"],
      ],
      [
        "SAN_MISSING",
        "info",
        "/etc/kubernetes/pki/etcd/server.crt does not cover localhost, ::1 (kubeadm's profile has it; nothing on this node dials it)",
        ["localhost", "::1"],
      ],
    ]);
  });

  it("admin.conf: the O is compared as a set, and a wrong one is listed with every accepted one", async () => {
    const admin = (o: string[]) =>
      issue({ cn: "kubernetes-admin", o, usages: ["client auth"], signer: ca }).then((c) =>
        found(c, pki("admin.conf", "/etc/kubernetes/admin.conf")),
      );
    const [ok, twoO, none] = await Promise.all([
      admin(["kubeadm:cluster-admins"]),
      admin(["system:masters", "kubeadm:cluster-admins"]),
      admin([]),
    ]);
    expect(checkKubeadmProfiles([ok])).toEqual([]);
    expect(checkKubeadmProfiles([twoO, none]).map((f) => f.message)).toEqual([
      "/etc/kubernetes/admin.conf: O is [system:masters, kubeadm:cluster-admins], kubeadm expects [kubeadm:cluster-admins] or [system:masters]",
      "/etc/kubernetes/admin.conf: O is [], kubeadm expects [kubeadm:cluster-admins] or [system:masters]",
    ]);
  });

  it("a certificate without a CN shows it as empty", async () => {
    const cert = await issue({ cn: "x", usages: ["client auth"], signer: ca });
    const noCn = { ...cert.info, subject: { dn: "", cn: undefined, o: [] } };
    expect(checkKubeadmProfiles([found(noCn, pki("front-proxy-client.crt"))]).map((f) => f.message)).toEqual([
      '/etc/kubernetes/pki/front-proxy-client.crt: CN is "", kubeadm expects "front-proxy-client"',
    ]);
  });

  it("profiles only the first certificate of a kubeadm file, and nothing else", async () => {
    const wrong = await issue({ cn: "wrong", usages: ["client auth"], signer: ca });
    const file = pki("front-proxy-client.crt");
    expect(checkKubeadmProfiles([found(wrong, { ...file, location: `${file.location}#1` })])).toEqual([]);
    expect(checkKubeadmProfiles([found(wrong, { ...file, location: `${file.location}#12` })])).toEqual([]);
    expect(checkKubeadmProfiles([found(wrong, { ...file, role: "chain" })])).toEqual([]);
    expect(checkKubeadmProfiles([found(wrong, { ...file, cert: undefined })])).toEqual([]);
    expect(checkKubeadmProfiles([found(wrong, { ...file, kubeadmName: "web.crt" })])).toEqual([]);
    expect(checkKubeadmProfiles([found(wrong, { ...file, location: `${file.location}#0` })])).toHaveLength(1);
    expect(checkKubeadmProfiles([found(wrong, { ...file, location: `${file.location}#1x` })])).toHaveLength(
      1,
    );
    expect(checkKubeadmProfiles([found(wrong, { ...file, location: `a#1/${file.location}` })])).toHaveLength(
      1,
    );
  });
});
