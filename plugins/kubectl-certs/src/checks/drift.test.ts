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

describe("checkDrift, findings in full", () => {
  let ca: Issued;
  let older: Issued;
  let newer: Issued;
  let kubelet: Issued;
  let kubeletOld: Issued;
  beforeAll(async () => {
    ca = await issue({ cn: "kubernetes", ca: true, to: 3650 });
    const sans = { dns: ["kubernetes"], ip: ["10.2.1.151"] };
    older = await issue({ cn: "kube-apiserver", sans, signer: ca, from: -10, to: 100, serial: "01" });
    newer = await issue({ cn: "kube-apiserver", sans, signer: ca, from: -400, to: 50, serial: "02" });
    kubelet = await issue({
      cn: "system:node:worker-1",
      sans: { dns: ["worker-1"] },
      signer: ca,
      serial: "03",
    });
    kubeletOld = await issue({
      cn: "system:node:worker-1",
      sans: { dns: ["worker-1"] },
      signer: ca,
      to: 10,
      serial: "04",
    });
  });

  it("a file that expires before the served certificate is not called renewed", () => {
    const disk = found(newer, {
      source: "pki",
      location: "/etc/kubernetes/pki/apiserver.crt",
      serves: "kube-apiserver",
    });
    const served = found(older, {
      source: "served",
      location: "10.2.1.151:6443",
      served: { endpoint: "10.2.1.151:6443", host: "10.2.1.151", local: true, component: "kube-apiserver" },
    });
    const [finding] = checkDrift([served, disk]);
    expect(finding).toEqual({
      code: "SERVED_DIFFERS_FROM_DISK",
      severity: "critical",
      subject: { endpoint: "10.2.1.151:6443" },
      message: `kube-apiserver at 10.2.1.151:6443 serves serial 01 (expires ${older.info.notAfter.toISOString()}), but /etc/kubernetes/pki/apiserver.crt holds serial 02`,
      evidence: {
        component: "kube-apiserver",
        endpoint: "10.2.1.151:6443",
        file: "/etc/kubernetes/pki/apiserver.crt",
        servedSerial: "01",
        servedNotAfter: older.info.notAfter.toISOString(),
        diskSerial: "02",
        diskNotAfter: newer.info.notAfter.toISOString(),
      },
      next: "restart kube-apiserver so it serves /etc/kubernetes/pki/apiserver.crt: on that node, move /etc/kubernetes/manifests/kube-apiserver.yaml out of the directory, wait until the kubelet stops the container (crictl ps --name kube-apiserver), then move it back; deleting the mirror pod with kubectl does not restart a static pod",
    });
  });

  it("a kubelet is matched by its node name, and told that it reloads by itself since 1.31", () => {
    const disk = found(kubelet, {
      source: "pki",
      location: "/var/lib/kubelet/pki/kubelet.crt",
      serves: "kubelet",
    });
    const served = (nodeName: string | undefined, component = "kubelet") =>
      found(kubeletOld, {
        source: "nodes",
        location: "10.2.1.152:10250",
        served: {
          endpoint: "10.2.1.152:10250",
          host: "10.2.1.152",
          local: true,
          component,
          ...(nodeName !== undefined && { nodeName }),
        },
      });
    const [finding, ...rest] = checkDrift([disk, served("worker-1")]);
    expect(rest).toEqual([]);
    expect(finding?.message).toBe(
      `kubelet at 10.2.1.152:10250 serves serial 04 (expires ${kubeletOld.info.notAfter.toISOString()}), but /var/lib/kubelet/pki/kubelet.crt holds serial 03 (renewed, not loaded yet)`,
    );
    expect(finding?.next).toBe(
      "kubelets since 1.31 load a new /var/lib/kubelet/pki/kubelet.crt by themselves once it and its key match: check that the key beside it belongs to it (KEY_MISMATCH), then restart the kubelet on that node (systemctl restart kubelet); older kubelets need the restart in any case",
    );
    expect(checkDrift([disk, served(undefined)])).toEqual([]);
    expect(checkDrift([disk, served("worker-2")])).toEqual([]);
    expect(checkDrift([disk, served("worker-1", "kube-apiserver")])).toEqual([]);
  });

  it("only a leaf with a certificate is compared, and only with a file that has one", () => {
    const disk = found(kubelet, {
      source: "pki",
      location: "/var/lib/kubelet/pki/kubelet.crt",
      serves: "kubelet",
    });
    const at = {
      endpoint: "10.2.1.152:10250",
      host: "10.2.1.152",
      local: true,
      component: "kubelet",
      nodeName: "worker-1",
    };
    const served = found(kubeletOld, { source: "nodes", location: "10.2.1.152:10250", served: at });
    expect(checkDrift([disk, { ...served, role: "chain" }])).toEqual([]);
    expect(checkDrift([disk, { ...served, cert: undefined }])).toEqual([]);
    expect(checkDrift([{ ...disk, cert: undefined }, served])).toEqual([]);
    expect(
      checkDrift([{ ...disk, cert: undefined }, disk, served]).map((f) => f.evidence?.diskSerial),
    ).toEqual(["03"]);
  });
});
