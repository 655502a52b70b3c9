import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { dump, load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestCluster } from "../env/cluster.js";
import type { Kubelet } from "../env/kubelet.js";
import { startControlPlane } from "../env/scenarios.js";
import { kubectlPlugin, PLUGIN_BIN, PLUGINS, REPO, type RunResult } from "./plugins.js";

// What users run: the single binary from the release archive, installed by the real krew, driven
// through kubectl against the real control plane. One command per plugin with the cluster behind
// it; the rest of the suite runs the same code from the bundled launchers in bin/.
describe("the release binary as krew installs it", () => {
  let scratch: string;
  let krewBin: string;
  let cluster: TestCluster;
  let node: Kubelet;
  let env: Record<string, string>;

  const released = (args: string[]): Promise<RunResult> =>
    kubectlPlugin([...args, "--kubeconfig", cluster.adminKubeconfig], env);

  beforeAll(async () => {
    // make test builds the archive and krew before the network namespace (both need a registry).
    const release = process.env.KUBEMEND_RELEASE;
    if (!release || !existsSync(release))
      throw new Error(
        "KUBEMEND_RELEASE names no release directory: make test makes one (node scripts/release.mjs --platform linux-amd64 --out DIR --krew-dir DIR/krew, then bash scripts/krew-tools.sh)",
      );
    const manifests = path.join(release, "krew");
    scratch = mkdtempSync(path.join(tmpdir(), "kubemend-release-e2e-"));
    const starting = startControlPlane();
    const tools = execFileSync("bash", [path.join(REPO, "scripts/krew-tools.sh")], {
      encoding: "utf8",
    }).trim();
    const archive = readdirSync(release).find((f) => f.endsWith("_linux_amd64.tar.gz")) as string;
    const krewRoot = path.join(scratch, "krew-root");
    krewBin = path.join(krewRoot, "bin");
    // Only krew's bin, never the repo's bin/ launchers, answers for the plugins.
    const systemPath = (process.env.PATH ?? "")
      .split(path.delimiter)
      .filter((dir) => path.resolve(dir) !== path.join(REPO, "bin"));
    env = { KREW_ROOT: krewRoot, PATH: [krewBin, tools, ...systemPath].join(path.delimiter) };
    for (const plugin of ["certs", "csr", "etcdsnap", "netcheck"]) {
      execFileSync(
        "kubectl",
        [
          "krew",
          "install",
          `--manifest=${path.join(manifests, `${plugin}.yaml`)}`,
          `--archive=${path.join(release, archive)}`,
        ],
        { env: { ...process.env, ...env }, stdio: "ignore" },
      );
    }
    ({ cluster, node } = await starting);
  });
  afterAll(async () => {
    await node?.stop();
    await cluster?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("kubectl resolves every plugin to the krew-installed binary", async () => {
    const list = await kubectlPlugin(["plugin", "list"], env);
    for (const plugin of ["certs", "csr", "etcdsnap", "netcheck"])
      expect(list.stdout).toContain(path.join(krewBin, `kubectl-${plugin}`));
    expect(list.stdout).not.toContain(path.join(REPO, "bin"));
  });

  it("certs: the kubeadm PKI with no finding", async () => {
    const result = await released([
      "certs",
      "expiry",
      "--source",
      "pki",
      "--pki-dir",
      cluster.pki.pkiDir,
      "--kubeconfig-dir",
      cluster.root,
      "-o",
      "json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { certificates: { location: string }[]; findings: unknown[] };
    expect(report.findings).toEqual([]);
    expect(report.certificates.map((c) => c.location)).toContain(cluster.pki.path("apiserver").cert);
  });

  it("csr: lists the control-plane kubelet's client CSR with its condition", async () => {
    const result = await released(["csr", "list", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const items = (
      JSON.parse(result.stdout) as { items: { signerName: string; condition: string; requestor?: string }[] }
    ).items;
    expect(items.some((i) => i.signerName === "kubernetes.io/kube-apiserver-client-kubelet")).toBe(true);
  });

  it("etcdsnap: a verified snapshot with no flags, 0600, that the real etcdutl reads the same way", async () => {
    // A --dir that does not exist yet is made, private to its owner.
    const dir = path.join(scratch, "snapshots", "daily");
    const result = await released(["etcdsnap", "save", "--dir", dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const file = readdirSync(dir).find((f) => f.endsWith(".db")) as string;
    expect(statSync(path.join(dir, file)).mode & 0o777).toBe(0o600);
    const status = JSON.parse(
      (await released(["etcdsnap", "status", path.join(dir, file), "-o", "json"])).stdout,
    ) as {
      hash: number;
      revision: number;
      totalKey: number;
    };
    const copy = path.join(scratch, "etcdutl.db");
    copyFileSync(path.join(dir, file), copy);
    const peer = JSON.parse(
      execFileSync(path.join(cluster.bin, "etcdutl"), ["snapshot", "status", copy, "-w", "json"], {
        encoding: "utf8",
      }),
    ) as { hash: number; revision: number; totalKey: number };
    expect(status.revision).toBe(peer.revision);
    expect(status.totalKey).toBe(peer.totalKey);
    expect(status.hash).toBe(peer.hash);
    // The single binary loads no code from disk: its CRC-32C is the JavaScript one, even on the
    // build machine, whose node_modules hold the native addon that the launchers use.
    const loads = spawnSync(path.join(krewBin, "kubectl-etcdsnap"), ["status", copy], {
      encoding: "utf8",
      env: { PATH: env.PATH as string, HOME: scratch, LD_DEBUG: "files" },
    });
    expect(loads.status, loads.stderr).toBe(0);
    expect(loads.stderr).toContain("calling init");
    expect(loads.stderr).not.toMatch(/file=\S+\.node\b/);
  });

  // The binary's main script leaves out what few runs need (release.mjs CHUNKS): the age
  // encryption, gRPC (the save above) and client-node's kubeconfig loading are compiled from the
  // binary's assets on first use.
  it("etcdsnap: save --encrypt-to and status --decrypt-with, with age loaded from the binary's assets", async () => {
    const identity = await generateX25519Identity();
    const key = path.join(scratch, "age.key");
    writeFileSync(key, `${identity}\n`, { mode: 0o600 });
    const dir = path.join(scratch, "sealed");
    const saved = await released([
      "etcdsnap",
      "save",
      "--dir",
      dir,
      "--encrypt-to",
      await identityToRecipient(identity),
      "-o",
      "json",
    ]);
    expect(saved.code, saved.stderr).toBe(0);
    const meta = JSON.parse(saved.stdout) as { path: string; revision: number };
    expect(readFileSync(meta.path).subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
    const status = await released(["etcdsnap", "status", meta.path, "--decrypt-with", key, "-o", "json"]);
    expect(status.code, status.stderr).toBe(0);
    const ours = JSON.parse(status.stdout) as {
      encrypted: boolean;
      revision: number;
      integrity: { ok: boolean };
    };
    expect(ours.encrypted).toBe(true);
    expect(ours.integrity.ok).toBe(true);
    expect(ours.revision).toBe(meta.revision);
  });

  it("csr: a kubeconfig whose user is an exec credential plugin, with client-node loaded from the binary's assets", async () => {
    const admin = load(readFileSync(cluster.adminKubeconfig, "utf8")) as {
      clusters: { cluster: Record<string, string> }[];
      users: { user: Record<string, string> }[];
    };
    const { user } = admin.users[0] as { user: Record<string, string> };
    const decode = (data: string | undefined) => Buffer.from(data ?? "", "base64").toString();
    const credential = path.join(scratch, "exec-credential.json");
    writeFileSync(
      credential,
      JSON.stringify({
        apiVersion: "client.authentication.k8s.io/v1",
        kind: "ExecCredential",
        status: {
          clientCertificateData: decode(user["client-certificate-data"]),
          clientKeyData: decode(user["client-key-data"]),
        },
      }),
      { mode: 0o600 },
    );
    const plugin = path.join(scratch, "credential-plugin");
    writeFileSync(plugin, `#!/bin/sh\nexec cat ${credential}\n`, { mode: 0o700 });
    const kubeconfig = path.join(scratch, "exec-kubeconfig");
    writeFileSync(
      kubeconfig,
      dump({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: admin.clusters[0]?.cluster }],
        users: [
          {
            name: "exec",
            user: {
              exec: {
                apiVersion: "client.authentication.k8s.io/v1",
                command: plugin,
                interactiveMode: "Never",
              },
            },
          },
        ],
        contexts: [{ name: "c", context: { cluster: "c", user: "exec" } }],
        "current-context": "c",
      }),
    );
    const listed = await kubectlPlugin(["csr", "list", "--kubeconfig", kubeconfig, "-o", "json"], env);
    expect(listed.code, listed.stderr).toBe(0);
    const items = (JSON.parse(listed.stdout) as { items: { signerName: string }[] }).items;
    expect(items.some((i) => i.signerName === "kubernetes.io/kube-apiserver-client-kubelet")).toBe(true);
  });

  // The binary starts from a V8 startup snapshot made on the build machine: what a command reads
  // from its environment, the clock and the terminal must be the user's, read when it runs.
  it("reads KUBECONFIG, NO_COLOR, the clock and the terminal's width when it runs, not when it was built", () => {
    const bin = path.join(krewBin, "kubectl-certs");
    const kubeconfig = path.join(scratch, "made-after-the-build", "config");
    mkdirSync(path.dirname(kubeconfig));
    copyFileSync(cluster.adminKubeconfig, kubeconfig);
    const run = (argv: string[], extra: Record<string, string> = {}) =>
      spawnSync(argv[0] as string, argv.slice(1), {
        encoding: "utf8",
        env: { PATH: env.PATH as string, HOME: scratch, KUBECONFIG: kubeconfig, ...extra },
      });
    const expiry = [bin, "expiry", "--source", "kubeconfig", "-o", "json"];
    const now = run(expiry);
    expect(now.status, now.stderr).toBe(0);
    const rows = (JSON.parse(now.stdout) as { certificates: { location: string }[] }).certificates;
    expect(rows.map((r) => r.location)).toContain(
      "kubernetes-admin@kubernetes: user kubernetes-admin client-certificate-data",
    );
    // Without it (and no ~/.kube/config in this HOME) there is no kubeconfig to read.
    const { KUBECONFIG: _, ...noKubeconfig } = { PATH: env.PATH as string, HOME: scratch, KUBECONFIG: "" };
    const none = spawnSync(bin, expiry.slice(1), { encoding: "utf8", env: noKubeconfig });
    expect(none.status).not.toBe(0);
    // 400 days on, the admin certificate kubeadm made for a year has expired.
    const later = run(["faketime", "+400 days", ...expiry]);
    const findings = (JSON.parse(later.stdout) as { findings: { code: string }[] }).findings;
    expect(findings.map((f) => f.code)).toContain("CERT_EXPIRED");
    expect(later.status).toBe(1);
    // On a terminal (script(1)): colour unless NO_COLOR, and help wrapped to the terminal's width.
    const onTty = (command: string, extra: Record<string, string> = {}) =>
      run(["script", "-qec", command, "/dev/null"], extra).stdout.replace(/\r/g, "");
    const table = `stty cols 120; faketime '+400 days' ${bin} expiry --source kubeconfig`;
    expect(onTty(table)).toContain("\x1b[31mCRITICAL");
    // NO_COLOR drops colour (SGR sequences), not the spinner's cursor control.
    const plain = onTty(table, { NO_COLOR: "1" });
    expect(plain).toContain("CRITICAL");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: an escape sequence is what is looked for
    expect(plain).not.toMatch(/\x1b\[[\d;]*m/);
    const widest = (text: string) => Math.max(...text.split("\n").map((l) => l.length));
    expect(widest(onTty(`stty cols 50; ${bin} --help`))).toBeLessThanOrEqual(50);
    expect(widest(onTty(`stty cols 110; ${bin} --help`))).toBeGreaterThan(50);
  });

  // The binary keeps each help text for widths 80, 100 (not a terminal) and 120 (help-memo.ts);
  // at those widths and any other it must read exactly as the launchers', which always render it.
  it("prints every plugin's and command's help exactly as the launchers do, at kept widths and others", () => {
    const run = (argv: string[]) =>
      spawnSync(argv[0] as string, argv.slice(1), {
        encoding: "utf8",
        env: { PATH: env.PATH as string, HOME: scratch },
      });
    const onTty = (command: string) =>
      run(["script", "-qec", command, "/dev/null"]).stdout.replace(/\r/g, "");
    for (const plugin of PLUGINS) {
      const released = path.join(krewBin, `kubectl-${plugin}`);
      const launcher = path.join(PLUGIN_BIN, `kubectl-${plugin}`);
      const listed = run([launcher, "--help"]).stdout.matchAll(
        new RegExp(`^  kubectl ${plugin} ([a-z-]+)`, "gm"),
      );
      const commands = [...listed].map((m) => m[1] as string);
      expect(commands.length, plugin).toBeGreaterThanOrEqual(3);
      const requests = [[], ["--help"], ["-h"], ...commands.map((c) => [c, "--help"])];
      for (const argv of requests) {
        const theirs = run([launcher, ...argv]);
        expect(theirs.status).toBe(0);
        expect(run([released, ...argv]).stdout, `${plugin} ${argv.join(" ")}`).toBe(theirs.stdout);
      }
      for (const columns of [80, 90, 150]) {
        const session = (bin: string) =>
          `stty cols ${columns}; ${bin} --help; ${bin} ${commands[0]} --help; ${bin} ${commands.at(-1)} -h`;
        const theirs = onTty(session(launcher));
        expect(theirs).toContain(`kubectl ${plugin} ${commands[0]}`);
        expect(onTty(session(released)), `${plugin} at ${columns} columns`).toBe(theirs);
      }
    }
  });

  it("netcheck: names the missing cluster DNS of a control plane without kubeadm's addons", async () => {
    const result = await released(["netcheck", "svc", "kubernetes", "-n", "default", "-o", "json"]);
    const report = JSON.parse(result.stdout) as { verdict: { code: string; message: string } };
    expect(report.verdict.code).toBe("DNS_UNHEALTHY");
    expect(report.verdict.message).toMatch(/^no cluster DNS: neither Service kube-system\/kube-dns nor pods/);
    expect(result.code).toBe(1);
  });
});
