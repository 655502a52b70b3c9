// Test helper: real snapshots from real etcd (3.4 from Debian's etcd-server when installed, 3.5 and
// 3.6 from the test control plane's cache). Each snapshot is made once per test run and shared by
// every test file through a directory named after the vitest parent process.

import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

export type EtcdFlavor = "3.4" | "3.5" | "3.6";
export const FLAVORS: readonly EtcdFlavor[] = ["3.4", "3.5", "3.6"];

export interface EtcdTools {
  flavor: EtcdFlavor;
  etcd: string;
  etcdctl: string;
  /** The command that prints `snapshot status -w json`: etcdutl, or etcdctl for 3.4 (no etcdutl). */
  status: string[];
}

let binDir: Promise<string> | undefined;

function controlPlaneBin(): Promise<string> {
  const preset = process.env.KUBEMEND_CONTROLPLANE_BIN;
  if (preset) return Promise.resolve(preset);
  binDir ??= run("bash", [path.join(REPO, "test/env/build-controlplane.sh")], {
    maxBuffer: 1 << 20,
    timeout: 1_800_000,
  }).then(({ stdout }) => stdout.trim().split("\n").pop() as string);
  return binDir;
}

/** The etcd tools of a flavor, or a sentence saying why they are not here. */
export async function etcdTools(flavor: EtcdFlavor): Promise<EtcdTools | string> {
  if (flavor === "3.4") {
    const etcd = "/usr/bin/etcd";
    const etcdctl = "/usr/bin/etcdctl";
    if (!existsSync(etcd) || !existsSync(etcdctl)) {
      return "etcd 3.4 is not installed (apt-get install etcd-server etcd-client gives Debian's 3.4)";
    }
    const { stdout } = await run(etcd, ["--version"]);
    if (!/etcd Version: 3\.4\./.test(stdout))
      return `/usr/bin/etcd is not etcd 3.4: ${stdout.split("\n")[0]}`;
    return { flavor, etcd, etcdctl, status: [etcdctl, "snapshot", "status", "-w", "json"] };
  }
  const bin = await controlPlaneBin();
  const dir = flavor === "3.6" ? bin : path.join(bin, "etcd-legacy");
  return {
    flavor,
    etcd: path.join(dir, "etcd"),
    etcdctl: path.join(dir, "etcdctl"),
    status: [path.join(dir, "etcdutl"), "snapshot", "status", "-w", "json"],
  };
}

/** What the tool of that flavor prints for `snapshot status -w json`. */
export async function etcdutlStatus(tools: EtcdTools, file: string): Promise<Record<string, unknown>> {
  const [cmd, ...args] = tools.status;
  const { stdout } = await run(cmd as string, [...args, file], { env: { ...process.env, ETCDCTL_API: "3" } });
  return JSON.parse(stdout.trim().split("\n").pop() as string);
}

export interface SnapshotFixture {
  flavor: EtcdFlavor;
  /** `etcdctl snapshot save` output (with the sha256 trailer). */
  snapshot: string;
  /** A copy of member/snap/db taken after etcd stopped (no trailer). */
  dataDb: string;
}

export type Scenario = "tiny" | "small" | "large";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr !== null ? addr.port : 0));
    });
  });
}

/** A per-run cache directory; directories of finished runs are removed on the way. */
export async function cacheDir(): Promise<string> {
  const root = path.join(tmpdir(), "kubemend-etcdsnap-fixtures");
  await mkdir(root, { recursive: true });
  for (const name of await readdir(root)) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.ppid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      await rm(path.join(root, name), { recursive: true, force: true });
    }
  }
  const dir = path.join(root, String(process.ppid));
  await mkdir(dir, { recursive: true });
  return dir;
}

const made = new Map<string, Promise<SnapshotFixture | string>>();

/** A real snapshot of the given scenario from etcd `flavor`, or why there cannot be one. */
export function etcdSnapshot(
  flavor: EtcdFlavor,
  scenario: Scenario = "small",
): Promise<SnapshotFixture | string> {
  const id = `${flavor}-${scenario}`;
  let p = made.get(id);
  if (p === undefined) {
    p = (async () => {
      const tools = await etcdTools(flavor);
      if (typeof tools === "string") return tools;
      const dir = await cacheDir();
      // Test files run in parallel workers that may make the same fixture at once. Each makes it
      // in a directory of its own and renames that directory into place: a rename onto a
      // directory that is already there fails, so the first one stays, whole, and every reader
      // sees the same pair of files.
      const final = path.join(dir, id);
      const fixture = { flavor, snapshot: path.join(final, "s.db"), dataDb: path.join(final, "copy.db") };
      if (existsSync(fixture.snapshot) && existsSync(fixture.dataDb)) return fixture;
      const work = await mkdtemp(path.join(dir, `${id}-work-`));
      try {
        await produce(tools, scenario, work);
        await rm(path.join(work, "data"), { recursive: true, force: true });
        await rename(work, final).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== "ENOTEMPTY" && err.code !== "EEXIST") throw err;
        });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
      return fixture;
    })();
    made.set(id, p);
  }
  return p;
}

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString("base64");

export class Gateway {
  constructor(readonly url: string) {}
  async call(route: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.url}/v3/${route}`, { method: "POST", body: JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok || "error" in json) throw new Error(`etcd ${route}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
  put(key: string, value: string | Uint8Array, lease?: string) {
    return this.call("kv/put", { key: b64(key), value: b64(value), ...(lease ? { lease } : {}) });
  }
  putMany(kvs: [string, string | Uint8Array][]) {
    return this.call("kv/txn", {
      success: kvs.map(([k, v]) => ({ requestPut: { key: b64(k), value: b64(v) } })),
    });
  }
  del(key: string) {
    return this.call("kv/deleterange", { key: b64(key) });
  }
}

/** Deterministic pseudo-random bytes, so values do not compress away and runs are repeatable. */
export function noise(seed: number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function podJson(ns: string, name: string, gen: number): string {
  return JSON.stringify({
    kind: "Pod",
    apiVersion: "v1",
    metadata: { namespace: ns, name, generation: gen },
  });
}

/** A real etcd on loopback (plain HTTP), for tests. */
export interface RunningEtcd {
  url: string;
  dataDir: string;
  child: ReturnType<typeof spawn>;
  /** Stops it (SIGTERM, or SIGKILL when `kill`) and waits for the exit. */
  stop(kill?: boolean): Promise<void>;
}

/**
 * Starts etcd on free loopback ports with its data in `dataDir`, and waits until it is healthy.
 * A probed port can be taken by another test before etcd binds it (etcd cannot be handed a bound
 * socket): when etcd says so, it starts again on other ports.
 */
export async function startEtcd(
  tools: EtcdTools,
  dataDir: string,
  extraArgs: string[] = [],
  logFile = `${dataDir}.log`,
): Promise<RunningEtcd> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEtcdOnce(tools, dataDir, extraArgs, logFile);
    } catch (err) {
      const log = await readFile(logFile, "utf8").catch(() => "");
      if (attempt >= 3 || !log.includes("address already in use")) throw err;
      await rm(dataDir, { recursive: true, force: true });
    }
  }
}

async function startEtcdOnce(
  tools: EtcdTools,
  dataDir: string,
  extraArgs: string[],
  logFile: string,
): Promise<RunningEtcd> {
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const args = [
    "--name=fixture",
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=fixture=${peerUrl}`,
    ...extraArgs,
  ];
  const { openSync } = await import("node:fs");
  const log = openSync(logFile, "a");
  const child = spawn(tools.etcd, args, { stdio: ["ignore", log, log] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (kill = false) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(kill ? "SIGKILL" : "SIGTERM");
    await exited;
  };
  try {
    await waitHealthy(url, child);
  } catch (err) {
    await stop(true);
    throw err;
  }
  return { url, dataDir, child, stop };
}

async function produce(tools: EtcdTools, scenario: Scenario, work: string): Promise<void> {
  const dataDir = path.join(work, "data");
  const etcd = await startEtcd(
    tools,
    dataDir,
    ["--quota-backend-bytes=8589934592", "--max-txn-ops=100000", "--max-request-bytes=33554432"],
    path.join(work, "etcd.log"),
  );
  try {
    const gw = new Gateway(etcd.url);
    await fill(gw, scenario);
    await run(tools.etcdctl, [`--endpoints=${etcd.url}`, "snapshot", "save", path.join(work, "s.db")], {
      env: { ...process.env, ETCDCTL_API: "3" },
      timeout: 600_000,
    });
  } finally {
    await etcd.stop();
  }
  await copyFile(path.join(dataDir, "member/snap/db"), path.join(work, "copy.db"));
}

async function waitHealthy(url: string, child: ReturnType<typeof spawn>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode} before it was healthy`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === "true") return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${url} was not healthy within 30s`);
}

/** Known history: versions, deletes, a lease, big values (overflow pages), a compaction. */
async function fill(gw: Gateway, scenario: Scenario): Promise<void> {
  if (scenario === "tiny") {
    await gw.put("/registry/namespaces/default", "ns");
    await gw.put("/registry/pods/default/a", podJson("default", "a", 1));
    await gw.put("/registry/pods/default/a", podJson("default", "a", 2));
    await gw.put("/registry/configmaps/default/big", noise(3, 6000));
    await gw.del("/registry/namespaces/default");
    return;
  }
  if (scenario === "large") {
    // ~1 GiB: 512 transactions of 1024 pods × ~2 KiB.
    for (let t = 0; t < 512; t++) {
      const kvs: [string, Uint8Array][] = [];
      for (let i = 0; i < 1024; i++) {
        const n = t * 1024 + i;
        kvs.push([`/registry/pods/ns-${n % 97}/pod-${n}`, noise(n + 1, 2048)]);
      }
      await gw.putMany(kvs);
    }
    return;
  }
  for (let g = 1; g <= 3; g++) {
    await gw.putMany(
      Array.from({ length: 400 }, (_, i): [string, string] => [
        `/registry/pods/ns-${i % 7}/pod-${i}`,
        podJson(`ns-${i % 7}`, `pod-${i}`, g),
      ]),
    );
  }
  await gw.put("/registry/deployments/default/web", "x".repeat(10_000));
  await gw.put("/registry/configmaps/kube-system/big", noise(7, 300_000));
  await gw.put("/registry/secrets/default/token", "s3cr3t");
  for (let i = 0; i < 50; i++) await gw.del(`/registry/pods/ns-${i % 7}/pod-${i}`);
  const lease = (await gw.call("lease/grant", { TTL: 3600 })) as { ID: string };
  await gw.put("/registry/leases/kube-node-lease/node-1", "renewed", lease.ID);
  const head = (await gw.put("/registry/events/default/e1", "event")) as { header: { revision: string } };
  await gw.call("kv/compaction", { revision: String(Number(head.header.revision) - 20), physical: true });
  await gw.put("/registry/pods/default/after-compaction", podJson("default", "after-compaction", 1));
  await gw.del("/registry/events/default/e1");
}
