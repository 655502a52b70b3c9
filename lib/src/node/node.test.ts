import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { componentLabel, discoverNode, resolveInRoot } from "./discover.js";
import { usedFiles } from "./files.js";
import { etcdSettingOrigin, etcdSettings, listFlag, parseFlags } from "./flags.js";
import { componentOf, unitFromCgroup } from "./processes.js";
import { nodePathOf } from "./static-pods.js";
import { parseEnvironmentFile, parseUnit, splitCommandLine } from "./systemd.js";

describe("flags", () => {
  it("reads both forms, a bare boolean, and keeps the last of a repeated flag", () => {
    const f = parseFlags(["--a=1", "--b", "2", "--bool", "--c=x=y", "-v", "--a=3", "--last"]);
    expect(Object.fromEntries(f)).toEqual({ a: "3", b: "2", bool: "true", c: "x=y", last: "true" });
    expect(listFlag(" https://a:2379, ,https://b:2379")).toEqual(["https://a:2379", "https://b:2379"]);
  });

  it("takes etcd's ETCD_* variables under flag names, flags winning, and says where each came from", () => {
    const flags = parseFlags(["--name=etcd01", "--cert-file=/f.pem"]);
    const s = etcdSettings(flags, {
      ETCD_DATA_DIR: "/var/lib/etcd/x",
      ETCD_CERT_FILE: "/env.pem",
      PATH: "/bin",
    });
    expect(Object.fromEntries(s)).toEqual({
      "data-dir": "/var/lib/etcd/x",
      "cert-file": "/f.pem",
      name: "etcd01",
    });
    expect([etcdSettingOrigin(flags, "cert-file"), etcdSettingOrigin(flags, "data-dir")]).toEqual([
      "--cert-file",
      "ETCD_DATA_DIR",
    ]);
  });
});

describe("systemd", () => {
  it("reads ExecStart across continuations, EnvironmentFile (optional with -), and Environment", () => {
    const unit = parseUnit(
      [
        "[Unit]",
        "ExecStart=/not/this",
        "[Service]",
        "Type=notify",
        'Environment="ETCD_NAME=etcd 01" ETCD_X=1',
        "EnvironmentFile=-/etc/default/etcd",
        "EnvironmentFile=/etc/etcd/etcd.conf",
        "ExecStart=/opt/k8s/bin/etcd \\",
        "  --name=etcd01 \\",
        '  --initial-cluster-token "k8s etcd"',
        "# ExecStart=/commented",
      ].join("\n"),
    );
    expect(unit).toEqual({
      execStart: ["/opt/k8s/bin/etcd", "--name=etcd01", "--initial-cluster-token", "k8s etcd"],
      environmentFiles: [
        { path: "/etc/default/etcd", optional: true },
        { path: "/etc/etcd/etcd.conf", optional: false },
      ],
      environment: { ETCD_NAME: "etcd 01", ETCD_X: "1" },
    });
    expect(splitCommandLine(`a 'b c' "d \\" e" f\\ g`)).toEqual(["a", "b c", 'd " e', "f g"]);
  });

  it("reads an EnvironmentFile as systemd does: quotes, comments, export", () => {
    expect(
      parseEnvironmentFile(
        [
          "# comment",
          'ETCD_DATA_DIR="/var/lib/etcd/k8s-etcd"       # where',
          "ETCD_NAME='etcd02'",
          "export ETCD_X=plain # trailing",
          "not a line",
          "",
        ].join("\n"),
      ),
    ).toEqual({ ETCD_DATA_DIR: "/var/lib/etcd/k8s-etcd", ETCD_NAME: "etcd02", ETCD_X: "plain" });
  });
});

describe("processes", () => {
  it("names the component from the program, or hyperkube's first argument", () => {
    expect(componentOf(["/opt/k8s/bin/etcd", "--name=a"])).toBe("etcd");
    expect(componentOf(["hyperkube", "kube-apiserver"])).toBe("kube-apiserver");
    expect(componentOf(["/usr/bin/etcdctl"])).toBeUndefined();
    expect(componentOf([])).toBeUndefined();
  });

  it("finds the systemd service in cgroup v2 and v1 lines", () => {
    expect(unitFromCgroup("0::/system.slice/etcd.service\n")).toBe("etcd.service");
    expect(
      unitFromCgroup("12:pids:/system.slice/kubelet.service\n1:name=systemd:/system.slice/kubelet.service"),
    ).toBe("kubelet.service");
    expect(
      unitFromCgroup("0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-1.scope\n"),
    ).toBeUndefined();
  });
});

// A fake /proc with two clusters on one node, each process with its own view of the filesystem.
describe("discoverNode", () => {
  let dir: string;
  const proc = () => path.join(dir, "proc");
  async function processAt(
    pid: number,
    argv: string[],
    opts: { env?: Record<string, string>; cgroup?: string; root: string; exited?: boolean; proc?: string },
  ) {
    const p = path.join(opts.proc ?? proc(), String(pid));
    await mkdir(p, { recursive: true });
    await writeFile(path.join(p, "cmdline"), `${argv.join("\0")}\0`);
    // No environ: it exited after its cmdline was read. A directory: a read that fails (as EACCES
    // does for a user who is not root).
    if (!opts.env && !opts.exited) await mkdir(path.join(p, "environ"));
    if (opts.env)
      await writeFile(
        path.join(p, "environ"),
        Object.entries(opts.env)
          .map(([k, v]) => `${k}=${v}\0`)
          .join(""),
      );
    await writeFile(path.join(p, "cgroup"), opts.cgroup ?? "0::/user.slice\n");
    await symlink(opts.root, path.join(p, "root"));
    await symlink(opts.root, path.join(p, "cwd"));
  }
  async function file(root: string, p: string, text: string) {
    await mkdir(path.dirname(path.join(root, p)), { recursive: true });
    await writeFile(path.join(root, p), text);
  }
  const kubeconfig = (server: string) =>
    `apiVersion: v1\nclusters:\n- name: c\n  cluster:\n    server: ${server}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\nusers:\n- name: u\n  user:\n    client-certificate: /etc/kubernetes/cert/kcm.pem\n`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "kubemend-node-"));
    const a = path.join(dir, "node-a");
    const b = path.join(dir, "node-b");
    await file(
      a,
      "/etc/systemd/system/etcd.service",
      "[Service]\nEnvironmentFile=-/etc/etcd/etcd.conf\nExecStart=/opt/k8s/bin/etcd \\\n  --name=etcd01 \\\n  --cert-file=/etc/etcd/ssl/etcd.pem\n",
    );
    await file(
      a,
      "/etc/etcd/etcd.conf",
      'ETCD_ADVERTISE_CLIENT_URLS="https://10.0.0.1:2379"\nETCD_KEY_FILE=/etc/etcd/ssl/etcd-key.pem\n',
    );
    await file(a, "/etc/kubernetes/kcm.kubeconfig", kubeconfig("https://10.0.0.1:6443"));
    await file(b, "/etc/kubernetes/kcm.kubeconfig", kubeconfig("https://10.0.0.2:6443"));
    // Cluster A: etcd under systemd with no readable environ, the API server, a controller-manager.
    await processAt(101, ["/opt/k8s/bin/etcd", "--name=etcd01", "--cert-file=/etc/etcd/ssl/etcd.pem"], {
      root: a,
    });
    await processAt(
      102,
      [
        "/opt/k8s/bin/kube-apiserver",
        "--advertise-address=10.0.0.1",
        "--etcd-servers=https://10.0.0.1:2379",
        "--tls-cert-file=/etc/kubernetes/cert/kubernetes.pem",
        "--tls-private-key-file=/etc/kubernetes/cert/kubernetes-key.pem",
        "--etcd-certfile=/etc/kubernetes/cert/kubernetes.pem",
        "--etcd-keyfile=/etc/kubernetes/cert/kubernetes-key.pem",
        "--service-account-key-file=/etc/kubernetes/cert/ca.pem,/etc/kubernetes/cert/old.pub",
      ],
      { root: a, env: {} },
    );
    await processAt(103, ["kube-controller-manager", "--kubeconfig=/etc/kubernetes/kcm.kubeconfig"], {
      root: a,
      env: {},
    });
    // Cluster B: a static pod's etcd and API server, a controller-manager.
    await processAt(
      201,
      [
        "etcd",
        "--advertise-client-urls=https://10.0.0.2:2379",
        "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
      ],
      { root: b, env: {}, cgroup: "0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-1.scope\n" },
    );
    await processAt(
      202,
      ["kube-apiserver", "--bind-address=10.0.0.2", "--etcd-servers=https://10.0.0.2:2379"],
      {
        root: b,
        env: {},
        cgroup: "0::/kubepods.slice/x.scope\n",
      },
    );
    await processAt(203, ["kube-controller-manager", "--kubeconfig=/etc/kubernetes/kcm.kubeconfig"], {
      root: b,
      env: {},
    });
    await processAt(301, ["/usr/bin/bash", "-c", "etcd"], { root: b, env: {} });
    await processAt(302, ["/opt/k8s/bin/etcd", "--name=restarting"], { root: a, exited: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("picks the cluster at the API server's address, and says how each component runs", async () => {
    const d = await discoverNode({ procRoot: proc(), apiServer: { host: "10.0.0.1", port: 6443 } });
    expect(d.components.map((c) => [c.component, c.pid, c.runsAs])).toEqual([
      ["etcd", 101, "systemd"],
      ["kube-apiserver", 102, "process"],
      ["kube-controller-manager", 103, "process"],
    ]);
    expect(d.otherClusters.map((c) => c.pid)).toEqual([201, 202, 203]);
    const etcd = d.components[0];
    expect(etcd?.unit).toEqual({
      name: "etcd.service",
      file: "/etc/systemd/system/etcd.service",
      environmentFiles: ["/etc/etcd/etcd.conf"],
    });
    // environ was unreadable: the unit's EnvironmentFile stands in for it.
    expect(etcd?.settings.get("key-file")).toBe("/etc/etcd/ssl/etcd-key.pem");
    expect(etcd?.origin("key-file")).toBe("ETCD_KEY_FILE");
    expect(d.warnings).toEqual([]);
    const b = await discoverNode({ procRoot: proc(), apiServer: { host: "10.0.0.2", port: 6443 } });
    expect(b.components.map((c) => [c.pid, c.runsAs])).toEqual([
      [201, "static-pod"],
      [202, "static-pod"],
      [203, "process"],
    ]);
  });

  it("takes a component dialing another address as behind a load balancer only when it is the one of its kind", async () => {
    // One API server runs; another cluster's is stopped, and its controller-manager and kubelet
    // still run. This cluster's kube-proxy dials a load balancer.
    const other = path.join(dir, "proc-other");
    const a = path.join(dir, "node-a");
    await file(a, "/etc/kubernetes/kubelet.kubeconfig", kubeconfig("https://10.0.0.1:6443"));
    await file(a, "/etc/kubernetes/stale-kcm.kubeconfig", kubeconfig("https://10.0.0.2:6443"));
    await file(a, "/etc/kubernetes/stale-kubelet.kubeconfig", kubeconfig("https://10.0.0.2:6443"));
    await file(a, "/etc/kubernetes/proxy.kubeconfig", kubeconfig("https://10.0.0.100:8443"));
    const run = (pid: number, argv: string[]) => processAt(pid, argv, { root: a, env: {}, proc: other });
    await run(102, ["kube-apiserver", "--advertise-address=10.0.0.1"]);
    await run(103, ["kube-controller-manager", "--kubeconfig=/etc/kubernetes/kcm.kubeconfig"]);
    await run(104, ["kubelet", "--kubeconfig=/etc/kubernetes/kubelet.kubeconfig"]);
    await run(105, ["kube-proxy", "--kubeconfig=/etc/kubernetes/proxy.kubeconfig"]);
    await run(203, ["kube-controller-manager", "--kubeconfig=/etc/kubernetes/stale-kcm.kubeconfig"]);
    await run(204, ["kubelet", "--kubeconfig=/etc/kubernetes/stale-kubelet.kubeconfig"]);
    const d = await discoverNode({ procRoot: other, apiServer: { host: "10.0.0.1", port: 6443 } });
    expect(d.components.map((c) => [c.component, c.pid])).toEqual([
      ["kube-apiserver", 102],
      ["kube-controller-manager", 103],
      ["kubelet", 104],
      ["kube-proxy", 105],
    ]);
    expect(d.otherClusters.map((c) => c.pid)).toEqual([203, 204]);
    // Two kubelets dialing elsewhere, and none at the API server: neither is taken for this one's.
    await run(205, ["kubelet", "--kubeconfig=/etc/kubernetes/stale-kubelet.kubeconfig"]);
    await rm(path.join(other, "104"), { recursive: true });
    const two = await discoverNode({ procRoot: other, apiServer: { host: "10.0.0.1", port: 6443 } });
    expect(two.components.map((c) => c.pid)).toEqual([102, 103, 105]);
  });

  it("says so when several API servers run and none is at the address asked about", async () => {
    const d = await discoverNode({ procRoot: proc(), apiServer: { host: "10.9.9.9", port: 6443 } });
    expect(d.components).toEqual([]);
    expect(d.warnings).toEqual([
      "2 API servers run on this node and none listens at 10.9.9.9:6443: their files were not read (kube-apiserver (pid 102, no systemd unit), kube-apiserver (pid 202, static pod))",
    ]);
  });

  it("names each file with its role, its key and the setting that names it", async () => {
    const d = await discoverNode({ procRoot: proc(), apiServer: { host: "10.0.0.1", port: 6443 } });
    const uses = usedFiles(d.components).map((u) => [
      u.component,
      u.setting,
      u.path,
      u.role,
      u.peer,
      u.key?.setting,
    ]);
    expect(uses).toEqual([
      ["etcd", "--cert-file", "/etc/etcd/ssl/etcd.pem", "serving", "clients", "ETCD_KEY_FILE"],
      [
        "kube-apiserver",
        "--tls-cert-file",
        "/etc/kubernetes/cert/kubernetes.pem",
        "serving",
        "clients",
        "--tls-private-key-file",
      ],
      [
        "kube-apiserver",
        "--etcd-certfile",
        "/etc/kubernetes/cert/kubernetes.pem",
        "client",
        "etcd",
        "--etcd-keyfile",
      ],
      [
        "kube-apiserver",
        "--service-account-key-file",
        "/etc/kubernetes/cert/ca.pem",
        "sa-public",
        undefined,
        undefined,
      ],
      [
        "kube-apiserver",
        "--service-account-key-file",
        "/etc/kubernetes/cert/old.pub",
        "sa-public",
        undefined,
        undefined,
      ],
    ]);
    expect(usedFiles(d.components)[0]?.hostPath).toBe(
      path.join(proc(), "101", "root", "etc/etcd/ssl/etcd.pem"),
    );
    expect(d.components[2]?.kubeconfigs).toEqual([
      {
        flag: "--kubeconfig",
        file: "/etc/kubernetes/kcm.kubeconfig",
        kubeconfig: { server: "https://10.0.0.1:6443", certFile: "/etc/kubernetes/cert/kcm.pem" },
      },
    ]);
  });

  it("the kubelet: its config file's fields, and its --cert-dir's rotated files", () => {
    const kubelet = {
      component: "kubelet" as const,
      pid: 7,
      argv: [],
      settings: new Map([["config", "/var/lib/kubelet/config.yaml"]]),
      origin: (n: string) => `--${n}`,
      runsAs: "systemd" as const,
      config: {
        file: "/var/lib/kubelet/config.yaml",
        doc: {
          authentication: { x509: { clientCAFile: "/etc/kubernetes/cert/ca.pem" } },
          serverTLSBootstrap: true,
          rotateCertificates: true,
        },
      },
      kubeconfigs: [],
      view: (p: string) => `/proc/7/root${p}`,
    };
    expect(usedFiles([kubelet]).map((u) => [u.setting, u.path, u.role, u.key?.path])).toEqual([
      ["config authentication.x509.clientCAFile", "/etc/kubernetes/cert/ca.pem", "ca", undefined],
      [
        "default --cert-dir",
        "/var/lib/kubelet/pki/kubelet-client-current.pem",
        "client",
        "/var/lib/kubelet/pki/kubelet-client-current.pem",
      ],
      [
        "default --cert-dir",
        "/var/lib/kubelet/pki/kubelet-server-current.pem",
        "serving",
        "/var/lib/kubelet/pki/kubelet-server-current.pem",
      ],
    ]);
  });
});

describe("static pods", () => {
  let dir: string;
  const manifest = (name: string, container: Record<string, unknown>, volumes: unknown[] = []) =>
    JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "kube-system" },
      spec: { containers: [{ name, ...container }], volumes },
    });
  const etcdArgv = ["etcd", "--name=cp1", "--cert-file=/etc/kubernetes/pki/etcd/server.crt"];
  const apiArgv = [
    "kube-apiserver",
    "--advertise-address=10.0.0.5",
    "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
  ];
  /** A process of `proc` that sees `root` as its filesystem. */
  async function processAt(proc: string, root: string, pid: number, argv: readonly string[]) {
    const p = path.join(proc, String(pid));
    await mkdir(p, { recursive: true });
    await writeFile(path.join(p, "cmdline"), `${argv.join("\0")}\0`);
    await writeFile(path.join(p, "environ"), "");
    await writeFile(path.join(p, "cgroup"), "0::/user.slice\n");
    await symlink(root, path.join(p, "root"));
    await symlink(root, path.join(p, "cwd"));
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "kubemend-static-"));
    const host = path.join(dir, "host");
    const manifests = path.join(host, "srv/manifests");
    await mkdir(manifests, { recursive: true });
    await writeFile(
      path.join(manifests, "etcd.yaml"),
      `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command: [${etcdArgv.map((a) => JSON.stringify(a)).join(", ")}]\n`,
    );
    // The API server is down: its manifest is all there is. Its PKI is a hostPath volume.
    await writeFile(
      path.join(manifests, "kube-apiserver.yaml"),
      manifest(
        "kube-apiserver",
        {
          command: apiArgv.slice(0, 2),
          args: apiArgv.slice(2),
          volumeMounts: [{ name: "k8s-certs", mountPath: "/etc/kubernetes/pki", readOnly: true }],
        },
        [{ name: "k8s-certs", hostPath: { path: "/srv/pki", type: "DirectoryOrCreate" } }],
      ),
    );
    await writeFile(path.join(manifests, ".kube-scheduler.yaml.swp"), "not read");
    await writeFile(path.join(manifests, "broken.yaml"), "kind: [");
    await writeFile(
      path.join(manifests, "nginx.yaml"),
      manifest("nginx", { command: ["nginx", "-g", "daemon off;"] }),
    );
    await mkdir(path.join(host, "var/lib/kubelet"), { recursive: true });
    await writeFile(path.join(host, "var/lib/kubelet/config.yaml"), "staticPodPath: /srv/manifests\n");
    const proc = path.join(dir, "proc");
    await processAt(proc, host, 11, ["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml"]);
    // Same flags in another order: the manifest's process all the same.
    await processAt(proc, host, 12, [etcdArgv[0] as string, ...etcdArgv.slice(1).reverse()]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("marks the running process a manifest starts, and reads a stopped one's files through its hostPath volumes", async () => {
    const d = await discoverNode({ procRoot: path.join(dir, "proc"), hostRoot: path.join(dir, "empty") });
    expect(d.components.map((c) => [c.component, c.pid, c.runsAs, c.manifest])).toEqual([
      ["kubelet", 11, "process", undefined],
      ["etcd", 12, "static-pod", "/srv/manifests/etcd.yaml"],
      ["kube-apiserver", undefined, "static-pod", "/srv/manifests/kube-apiserver.yaml"],
    ]);
    expect(d.components.map(componentLabel)).toEqual([
      "kubelet (pid 11, no systemd unit)",
      "etcd (pid 12, static pod /srv/manifests/etcd.yaml)",
      "kube-apiserver (not running, static pod /srv/manifests/kube-apiserver.yaml)",
    ]);
    expect(d.warnings).toEqual([
      "could not read the static pod manifest /srv/manifests/broken.yaml (not YAML or JSON)",
    ]);
    const apiserver = usedFiles(d.components).find((u) => u.component === "kube-apiserver");
    expect([apiserver?.setting, apiserver?.path, apiserver?.hostPath]).toEqual([
      "--etcd-certfile",
      "/etc/kubernetes/pki/apiserver-etcd-client.crt",
      path.join(dir, "proc/11/root/srv/pki/apiserver-etcd-client.crt"),
    ]);
  });

  it("with no kubelet seen, reads /etc/kubernetes/manifests once however many processes share it", async () => {
    const node = path.join(dir, "no-kubelet");
    await mkdir(path.join(node, "etc/kubernetes/manifests"), { recursive: true });
    for (const [name, argv] of [
      ["etcd.yaml", etcdArgv],
      ["kube-apiserver.yaml", apiArgv],
    ] as const)
      await writeFile(path.join(node, "etc/kubernetes/manifests", name), manifest(name, { command: argv }));
    const proc = path.join(dir, "proc-no-kubelet");
    for (const [pid, argv] of [
      [21, etcdArgv],
      [22, ["kube-scheduler", "--bind-address=10.0.0.5"]],
      [23, ["kube-controller-manager", "--bind-address=10.0.0.5"]],
    ] as const)
      await processAt(proc, node, pid, argv);
    const d = await discoverNode({ procRoot: proc, hostRoot: path.join(dir, "empty") });
    expect(d.components.map(componentLabel)).toEqual([
      "etcd (pid 21, static pod /etc/kubernetes/manifests/etcd.yaml)",
      "kube-scheduler (pid 22, no systemd unit)",
      "kube-controller-manager (pid 23, no systemd unit)",
      "kube-apiserver (not running, static pod /etc/kubernetes/manifests/kube-apiserver.yaml)",
    ]);
  });

  it("maps a container path through the deepest hostPath mount that holds it", () => {
    const c = {
      manifest: "/m.yaml",
      component: "etcd" as const,
      argv: ["etcd"],
      env: {},
      mounts: [
        { containerPath: "/etc/kubernetes", hostPath: "/srv/k8s" },
        { containerPath: "/etc/kubernetes/pki/etcd/", hostPath: "/data/etcd-pki" },
      ],
    };
    expect(nodePathOf(c, "/etc/kubernetes/pki/etcd/server.crt")).toBe("/data/etcd-pki/server.crt");
    expect(nodePathOf(c, "/etc/kubernetes/admin.conf")).toBe("/srv/k8s/admin.conf");
    expect(nodePathOf(c, "/etc/kubernetesX/a")).toBe("/etc/kubernetesX/a");
  });
});

describe("resolveInRoot", () => {
  it("follows absolute symlinks inside the process's root, and relative ones beside them", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "kubemend-root-"));
    try {
      await mkdir(path.join(root, "etc/kubernetes/cert"), { recursive: true });
      await writeFile(path.join(root, "etc/kubernetes/cert/kubelet-client-2024.pem"), "pem");
      await symlink(
        "/etc/kubernetes/cert/kubelet-client-2024.pem",
        path.join(root, "etc/kubernetes/cert/current.pem"),
      );
      await symlink("kubelet-client-2024.pem", path.join(root, "etc/kubernetes/cert/relative.pem"));
      await symlink("/etc/kubernetes", path.join(root, "k8s"));
      const expected = path.join(root, "etc/kubernetes/cert/kubelet-client-2024.pem");
      expect(resolveInRoot(root, "/etc/kubernetes/cert/current.pem")).toBe(expected);
      expect(resolveInRoot(root, "/etc/kubernetes/cert/relative.pem")).toBe(expected);
      expect(resolveInRoot(root, "/k8s/cert/../cert/current.pem")).toBe(expected);
      expect(resolveInRoot(root, "/etc/missing/x.pem")).toBe(path.join(root, "etc/missing/x.pem"));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
