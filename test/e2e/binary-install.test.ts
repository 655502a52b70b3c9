import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
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
});
