import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { discoverNode } from "@kubemend/lib/node/discover";
import { usedFiles } from "@kubemend/lib/node/files";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BinaryCluster, startBinaryCluster } from "../env/binary-cluster.js";

const run = promisify(execFile);

// The binary-install cluster of test/env: cfssl PKI, a 3-member etcd from systemd-style units with
// ETCD_* environment files, and the control plane from flags alone. These tests check the env
// itself, against the real components; the plugins' tests on it live beside their kubeadm ones.

describe("a binary-install cluster", () => {
  let c: BinaryCluster;
  beforeAll(async () => {
    c = await startBinaryCluster();
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  it("serves the API from flags alone: no kubeadm-config, no static pods", async () => {
    const cm = await c.kubectl(["-n", "kube-system", "get", "configmap", "kubeadm-config"]);
    expect(cm.code).not.toBe(0);
    expect(cm.stderr).toMatch(/NotFound/);
    const svc = await c.kubectl(["get", "svc", "kubernetes", "-o", "jsonpath={.spec.clusterIP}"]);
    expect(svc).toMatchObject({ code: 0, stdout: "10.64.0.1" });
  });

  it("runs three etcd members, each with its flags on the command line and the rest in its environment", async () => {
    const [m1] = c.etcd;
    if (!m1) throw new Error("no etcd member");
    const ssl = (f: string) => c.file(m1.node, `/etc/etcd/ssl/${f}`);
    const { stdout } = await run(path.join(c.bin, "etcdctl"), [
      `--endpoints=${m1.clientUrl}`,
      `--cacert=${ssl("ca.pem")}`,
      `--cert=${ssl("etcd.pem")}`,
      `--key=${ssl("etcd-key.pem")}`,
      "member",
      "list",
      "-w",
      "json",
    ]);
    const members = (JSON.parse(stdout) as { members: { name: string; clientURLs: string[] }[] }).members;
    expect(members.map((m) => [m.name, m.clientURLs]).sort()).toEqual(
      c.etcd.map((m) => [m.name, [m.clientUrl]]),
    );
    for (const m of c.etcd) {
      const pid = m.process?.child.pid;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      expect(cmdline[0]).toBe("/opt/k8s/bin/etcd");
      expect(cmdline).toContain(`--name=${m.name}`);
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      expect(environ).toContain("ETCD_DATA_DIR=/var/lib/etcd/k8s-etcd");
      // What the process sees at /etc/etcd is its node's directory.
      expect(readFileSync(`/proc/${pid}/root/etc/etcd/etcd.conf`, "utf8")).toBe(
        readFileSync(c.file(m.node, "/etc/etcd/etcd.conf"), "utf8"),
      );
    }
  });

  it("is found from /proc as a binary install: systemd units, settings from flags and ETCD_* variables, roles", async () => {
    const m1 = c.nodes[0];
    if (!m1) throw new Error("no node");
    const d = await discoverNode({ apiServer: { host: m1.ip, port: 6443 } });
    const byPid = new Map(d.components.map((x) => [x.pid, x]));
    for (const m of c.etcd) {
      const found = byPid.get(m.process?.child.pid ?? -1);
      expect(found).toMatchObject({
        component: "etcd",
        runsAs: "systemd",
        unit: {
          name: "etcd.service",
          file: "/etc/systemd/system/etcd.service",
          environmentFiles: ["/etc/etcd/etcd.conf"],
        },
      });
      expect(found?.settings.get("data-dir")).toBe("/var/lib/etcd/k8s-etcd");
      expect(found?.origin("data-dir")).toBe("ETCD_DATA_DIR");
    }
    for (const name of [
      "kube-apiserver",
      "kube-controller-manager",
      "kube-scheduler",
      "kubelet",
      "kube-proxy",
    ] as const)
      expect(byPid.get(c.processes[name]?.child.pid ?? -1)).toMatchObject({
        component: name,
        runsAs: "systemd",
        unit: { name: `${name}.service` },
      });
    expect(d.components.map((x) => x.unit?.name).sort()).toEqual([
      "etcd.service",
      "etcd.service",
      "etcd.service",
      "kube-apiserver.service",
      "kube-controller-manager.service",
      "kube-proxy.service",
      "kube-scheduler.service",
      "kubelet.service",
    ]);
    const roles = usedFiles(d.components).filter((u) => u.component === "kube-apiserver");
    expect(roles.map((u) => [u.setting, u.path, u.role, u.peer ?? ""])).toEqual([
      ["--tls-cert-file", "/etc/kubernetes/cert/kubernetes.pem", "serving", "clients"],
      ["--client-ca-file", "/etc/kubernetes/cert/ca.pem", "ca", "clients"],
      ["--etcd-certfile", "/etc/kubernetes/cert/kubernetes.pem", "client", "etcd"],
      ["--etcd-cafile", "/etc/kubernetes/cert/ca.pem", "ca", "etcd"],
      ["--kubelet-client-certificate", "/etc/kubernetes/cert/kubernetes.pem", "client", "kubelet"],
      ["--proxy-client-cert-file", "/etc/kubernetes/cert/proxy-client.pem", "client", "extension-apiserver"],
      [
        "--requestheader-client-ca-file",
        "/etc/kubernetes/cert/front-proxy-ca.pem",
        "ca",
        "extension-apiserver",
      ],
      ["--service-account-key-file", "/etc/kubernetes/cert/ca.pem", "sa-public", ""],
      ["--service-account-signing-key-file", "/etc/kubernetes/cert/ca-key.pem", "sa-private", ""],
    ]);
    expect(readFileSync(roles[0]?.hostPath ?? "", "utf8")).toBe(
      readFileSync(c.file(m1, "/etc/kubernetes/cert/kubernetes.pem"), "utf8"),
    );
  });
});
