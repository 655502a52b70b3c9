import { execFile, spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { Decrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
import { loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestCluster } from "../env/cluster.js";
import { writeKubeconfig } from "../env/kubeconfig-file.js";
import type { Kubelet } from "../env/kubelet.js";
import { startControlPlane } from "../env/scenarios.js";
import { kubectlPlugin, PLUGIN_BIN } from "./plugins.js";

const run = promisify(execFile);

interface Container {
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface CronJob {
  kind: "CronJob";
  metadata: { name: string; namespace: string };
  spec: {
    jobTemplate: {
      spec: {
        template: {
          spec: { containers: Container[]; volumes: { name: string; hostPath?: { path: string } }[] };
        };
      };
    };
  };
}

// kubectl etcdsnap schedule and encryption at rest on the real control plane: the real API server
// validates the CronJob (printed and applied), the real scheduler places its pod on the
// control-plane node, the CronJob's own entry point runs as a process against the real etcd with
// the ServiceAccount's token, and an encrypted save decrypts to what the real etcdutl reads.
describe("kubectl etcdsnap schedule and --encrypt-to", () => {
  let cluster: TestCluster;
  let node: Kubelet;
  let dir: string;

  beforeAll(async () => {
    ({ cluster, node } = await startControlPlane());
    dir = await mkdtemp(path.join(tmpdir(), "kubemend-etcdsnap-schedule-e2e-"));
  });
  afterAll(async () => {
    await node?.stop();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const etcdsnap = (...args: string[]) =>
    kubectlPlugin(["etcdsnap", "--kubeconfig", cluster.adminKubeconfig, ...args]);
  const kubectl = async (args: string[], input?: string) => {
    const r = await cluster.kubectl(args, input === undefined ? undefined : { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const cronJobOf = (yaml: string) =>
    (loadAll(yaml) as { kind: string }[]).find((d) => d.kind === "CronJob") as CronJob;

  it("the API server accepts the printed manifests (kubectl apply --dry-run=server), and rejects a bad schedule", async () => {
    const recipient = await identityToRecipient(await generateX25519Identity());
    for (const flags of [
      ["-n", "kube-system", "--encrypt-to", recipient],
      ["-n", "kube-system", "--pvc", "etcd-backups", "--time-zone", "Etc/UTC", "--keep", "30"],
    ]) {
      const printed = await etcdsnap("schedule", ...flags);
      expect(printed.stderr).toBe("");
      expect(printed.code).toBe(0);
      const out = await kubectl(["apply", "--dry-run=server", "-f", "-"], printed.stdout);
      expect(out).toContain("serviceaccount/etcd-snapshot created (server dry run)");
      expect(out).toContain("role.rbac.authorization.k8s.io/kubemend:etcd-snapshot created (server dry run)");
      expect(out).toContain(
        "rolebinding.rbac.authorization.k8s.io/kubemend:etcd-snapshot created (server dry run)",
      );
      expect(out).toContain("cronjob.batch/etcd-snapshot created (server dry run)");
    }
    const applied = await etcdsnap("schedule", "-n", "kube-system", "--apply", "--dry-run=server");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout.trim().split("\n")).toEqual([
      "serviceaccount/etcd-snapshot serverside-applied (server dry run)",
      "role.rbac.authorization.k8s.io/kubemend:etcd-snapshot serverside-applied (server dry run)",
      "rolebinding.rbac.authorization.k8s.io/kubemend:etcd-snapshot serverside-applied (server dry run)",
      "cronjob.batch/etcd-snapshot serverside-applied (server dry run)",
    ]);
    const none = await cluster.kubectl(["get", "cronjob", "etcd-snapshot", "-n", "kube-system"]);
    expect(none.code).not.toBe(0);
    // Five fields pass the local check; the API server's cron parser is the one that says no.
    const bad = await etcdsnap(
      "schedule",
      "-n",
      "kube-system",
      "--schedule",
      "61 * * * *",
      "--apply",
      "--dry-run=server",
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).not.toContain("cronjob");
    const lines = bad.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^error: .*schedule/);
    expect(lines.length).toBeLessThanOrEqual(2);
  });

  it("--apply creates the objects, and the real scheduler puts the job's pod on the control-plane node", async () => {
    const r = await etcdsnap("schedule", "--apply", "--host-path", "/var/backups/etcd");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("namespace/kubemend-system serverside-applied");
    expect(r.stdout).toContain("cronjob.batch/etcd-snapshot serverside-applied");
    const ns = JSON.parse(await kubectl(["get", "namespace", "kubemend-system", "-o", "json"]));
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    // Applying again changes nothing and does not fail (server-side apply owns its fields).
    expect((await etcdsnap("schedule", "--apply", "--host-path", "/var/backups/etcd")).code).toBe(0);
    await kubectl(["create", "job", "snap-now", "--from=cronjob/etcd-snapshot", "-n", "kubemend-system"]);
    let nodeName: string | undefined;
    for (let i = 0; i < 60 && !nodeName; i++) {
      const pods = JSON.parse(
        await kubectl(["get", "pods", "-n", "kubemend-system", "-l", "job-name=snap-now", "-o", "json"]),
      ) as { items: { spec: { nodeName?: string; hostNetwork?: boolean } }[] };
      nodeName = pods.items[0]?.spec.nodeName;
      if (!nodeName) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(nodeName).toBe(cluster.nodeName);
  });

  it("the CronJob's entry point, run as a process against the real etcd, saves verified snapshots and keeps N", async () => {
    const printed = await etcdsnap("schedule", "--keep", "2", "--endpoints", cluster.etcd.endpoint);
    expect(printed.code).toBe(0);
    const cron = cronJobOf(printed.stdout);
    const container = cron.spec.jobTemplate.spec.template.spec.containers[0] as Container;
    // Container paths → this machine: the binary, the volumes by their mounts, $TMPDIR.
    const store = path.join(dir, "store");
    const tmp = path.join(dir, "tmp");
    await mkdir(store);
    await mkdir(tmp);
    const pkiMount = container.volumeMounts.find((m) => m.name === "etcd-pki");
    expect(pkiMount?.readOnly).toBe(true);
    const mapped: [string, string][] = [
      ["/usr/local/bin/kubectl-etcdsnap", path.join(PLUGIN_BIN, "kubectl-etcdsnap")],
      [container.volumeMounts.find((m) => m.name === "snapshots")?.mountPath as string, store],
      [pkiMount?.mountPath as string, path.join(cluster.pki.pkiDir, "etcd")],
      ["/tmp", tmp],
    ];
    const map = (s: string) => {
      for (const [from, to] of mapped)
        if (s === from || s.startsWith(`${from}/`)) return to + s.slice(from.length);
      return s;
    };
    const [command, ...prefix] = container.command.map(map);
    const args = [...prefix, ...container.args.map(map)];
    expect(args).toContain(path.join(cluster.pki.pkiDir, "etcd", "healthcheck-client.key"));
    // In the pod, the ServiceAccount's token is the credential: use exactly that.
    const token = (await kubectl(["create", "token", "etcd-snapshot", "-n", "kubemend-system"])).trim();
    const kubeconfig = path.join(dir, "etcd-snapshot.conf");
    await writeKubeconfig(kubeconfig, {
      server: cluster.server,
      caPem: cluster.pki.ca.certPem,
      user: { token },
      userName: "etcd-snapshot",
    });
    const env = {
      ...Object.fromEntries(container.env.map((e) => [e.name, map(e.value)])),
      PATH: process.env.PATH ?? "",
      KUBECONFIG: kubeconfig,
    };
    const outputs: { code: number | null; stdout: string; stderr: string }[] = [];
    for (let i = 0; i < 3; i++) {
      await kubectl(["create", "configmap", `entrypoint-${i}`, "-n", "default", "--from-literal=i=1"]);
      outputs.push(await runProcess(command as string, args, env));
    }
    for (const o of outputs) {
      expect(o.stderr).toBe("");
      expect(o.code).toBe(0);
    }
    expect(outputs[2]?.stdout).toMatch(
      /\nremoved etcd-kubernetes-\d{8}T\d{6}Z-rev\d+\.db\nkept 2 snapshot\(s\)/,
    );
    const names = (await readdir(store)).sort();
    const snaps = names.filter((n) => n.endsWith(".db"));
    expect(snaps).toHaveLength(2);
    expect(names).toEqual(snaps.flatMap((n) => [n, `${n}.json`]).sort());
    // The cluster name came from kubeadm-config through the Role: the token sufficed.
    for (const n of snaps) expect(n).toMatch(/^etcd-kubernetes-\d{8}T\d{6}Z-rev\d+\.db$/);
    expect(await readdir(tmp)).toEqual([]);
    const newest = path.join(store, snaps[snaps.length - 1] as string);
    const meta = JSON.parse(await readFile(`${newest}.json`, "utf8"));
    expect(meta.verified).toBe(true);
    expect(meta.kubernetesVersion).toMatch(/^v1\./);
    expect((await stat(newest)).mode & 0o777).toBe(0o600);
    const etcdutl = await etcdutlStatus(newest);
    expect(etcdutl.revision).toBe(meta.revision);
    expect(etcdutl.hash).toBe(meta.hash);
    const listed = await etcdsnap("list", "--dir", store, "--verify", "-o", "json");
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).items.map((e: { state: string }) => e.state)).toEqual([
      "verified",
      "verified",
    ]);
  });

  it("save --encrypt-to, then status --decrypt-with equals the real etcdutl on the decrypted file", async () => {
    const identity = await generateX25519Identity();
    const recipient = await identityToRecipient(identity);
    const idFile = path.join(dir, "age.key");
    await writeFile(idFile, `${identity}\n`, { mode: 0o600 });
    const store = path.join(dir, "sealed");
    await mkdir(store);
    const saved = await etcdsnap("save", "--dir", store, "--encrypt-to", recipient, "-o", "json");
    expect(saved.stderr).toBe("");
    expect(saved.code).toBe(0);
    const meta = JSON.parse(saved.stdout);
    expect(meta.encryption.recipients).toEqual([recipient]);
    expect((await readFile(meta.path)).subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
    expect((await readdir(store)).sort()).toEqual([
      path.basename(meta.path),
      `${path.basename(meta.path)}.json`,
    ]);

    const refused = await etcdsnap("status", meta.path);
    expect(refused.code).toBe(2);
    expect(refused.stderr.split("\n")[0]).toBe(
      `error: ${meta.path} is encrypted with age; pass --decrypt-with`,
    );

    const r = await etcdsnap("status", meta.path, "--decrypt-with", idFile, "-o", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const ours = JSON.parse(r.stdout);
    expect(ours.integrity.ok).toBe(true);
    // Decrypted here with the library directly, not through kubectl-etcdsnap.
    const plain = path.join(dir, "decrypted.db");
    const d = new Decrypter();
    d.addIdentity(identity);
    const out = await d.decrypt(Readable.toWeb(createReadStream(meta.path)) as ReadableStream<Uint8Array>);
    await writeFile(plain, Readable.fromWeb(out as import("node:stream/web").ReadableStream<Uint8Array>));
    const etcdutl = await etcdutlStatus(plain);
    for (const field of ["hash", "revision", "totalKey", "totalSize", "version"])
      expect(ours[field], field).toEqual(etcdutl[field]);
    expect(ours.revision).toBe(meta.revision);
    expect((await stat(plain)).size).toBe(meta.size);
  });

  async function etcdutlStatus(file: string): Promise<Record<string, unknown>> {
    const { stdout } = await run(path.join(cluster.bin, "etcdutl"), [
      "snapshot",
      "status",
      "-w",
      "json",
      file,
    ]);
    return JSON.parse(stdout.trim().split("\n").pop() as string) as Record<string, unknown>;
  }
});

function runProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
