import { beforeAll, describe, expect, it } from "vitest";
import type { FoundCert } from "../model.js";
import { found, type Issued, issue } from "../testing.js";
import { checkDrift } from "./drift.js";

describe("checkDrift", () => {
  let ca: Issued;
  let old: Issued;
  let renewed: Issued;
  beforeAll(async () => {
    ca = await issue({ cn: "kubernetes", ca: true, to: 3650 });
    const sans = { dns: ["kubernetes"], ip: ["10.96.0.1", "10.2.1.151"] };
    old = await issue({ cn: "kube-apiserver", sans, signer: ca, from: -360, to: 5, serial: "0a" });
    renewed = await issue({ cn: "kube-apiserver", sans, signer: ca, to: 365, serial: "0b" });
  });

  const disk = (cert: Issued): FoundCert =>
    found(cert, {
      source: "pki",
      location: "/etc/kubernetes/pki/apiserver.crt",
      holder: { file: "/etc/kubernetes/pki/apiserver.crt" },
      kubeadmName: "apiserver.crt",
      serves: "kube-apiserver",
    });
  const served = (cert: Issued, host = "10.2.1.151", local = true): FoundCert =>
    found(cert, {
      source: "served",
      location: `${host}:6443`,
      holder: { endpoint: `${host}:6443` },
      served: { endpoint: `${host}:6443`, host, local, component: "kube-apiserver" },
    });

  it("S4: the local API server still serving the old certificate after kubeadm certs renew", () => {
    const [finding, ...rest] = checkDrift([disk(renewed), served(old)]);
    expect(rest).toEqual([]);
    expect(finding?.code).toBe("SERVED_DIFFERS_FROM_DISK");
    expect(finding?.evidence).toEqual({
      component: "kube-apiserver",
      endpoint: "10.2.1.151:6443",
      file: "/etc/kubernetes/pki/apiserver.crt",
      servedSerial: "0a",
      servedNotAfter: old.info.notAfter.toISOString(),
      diskSerial: "0b",
      diskNotAfter: renewed.info.notAfter.toISOString(),
    });
    expect(finding?.message).toContain("(renewed, not loaded yet)");
    expect(finding?.next).toContain(
      "move /etc/kubernetes/manifests/kube-apiserver.yaml out of the directory",
    );
    expect(finding?.next).toContain("deleting the mirror pod with kubectl does not restart a static pod");
  });

  it("is quiet when the served certificate is the file's", () => {
    expect(checkDrift([disk(renewed), served(renewed)])).toEqual([]);
  });

  it("never compares this node's file with another machine's API server", () => {
    expect(checkDrift([disk(renewed), served(old, "10.2.1.151", false)])).toEqual([]);
    expect(checkDrift([disk(renewed), served(old, "10.2.1.153")])).toEqual([]);
  });
});
