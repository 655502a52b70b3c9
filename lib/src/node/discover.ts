// Discovery from the running node: which Kubernetes components run here, for which cluster, with
// what settings, and how they are run (a systemd unit with its EnvironmentFiles, a static pod, a
// bare process). Files are read the way the process sees them, through /proc/<pid>/root, so a
// static pod's container paths and a private mount namespace resolve as they do for the process.
import { lstatSync, readlinkSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { load } from "js-yaml";
import { fileIdentity } from "../fs/identity.js";
import { etcdSettingOrigin, etcdSettings, listFlag, parseFlags } from "./flags.js";
import { type ComponentKubeconfig, readComponentKubeconfig } from "./kubeconfig-file.js";
import { type Component, type NodeProcess, scanProcesses } from "./processes.js";
import { nodePathOf, readStaticPods, type StaticPodContainer } from "./static-pods.js";
import { parseEnvironmentFile, parseUnit } from "./systemd.js";

export interface NodeComponent {
  component: Component;
  /** Undefined for a static pod whose manifest is there but whose process is not running. */
  pid?: number;
  argv: string[];
  /** Its flags; for etcd, its ETCD_* variables too, under the flag's name (flags win). */
  settings: Map<string, string>;
  /** How a person finds a setting: "--cert-file", or "ETCD_CERT_FILE" for etcd's environment. */
  origin(name: string): string;
  runsAs: "systemd" | "static-pod" | "process";
  /** The static pod's manifest, as the node names it, when one runs (or should run) this component. */
  manifest?: string;
  /** The systemd unit, when systemd runs it: its name, its file as the node sees it, its EnvironmentFiles. */
  unit?: { name: string; file?: string; environmentFiles: string[] };
  /** The --config file of the kubelet or kube-proxy. */
  config?: { file: string; doc: Record<string, unknown> };
  /** Each kubeconfig a flag (or the config file) names. */
  kubeconfigs: { flag: string; file: string; kubeconfig: ComponentKubeconfig }[];
  /** Where on this machine a path as the process names it can be read. */
  view(p: string): string;
}

export interface NodeDiscovery {
  /** The components of the cluster asked about (all of them when one cluster runs here). */
  components: NodeComponent[];
  /** Component processes left out: another cluster's. */
  otherClusters: { component: Component; pid?: number }[];
  /** What could not be seen, one sentence each. */
  warnings: string[];
}

/**
 * How a person finds the component: "etcd (pid 12, etcd.service)", "kube-apiserver (pid 40, static
 * pod /etc/kubernetes/manifests/kube-apiserver.yaml)", "kube-apiserver (not running, static pod …)".
 */
export function componentLabel(
  c: Pick<NodeComponent, "component" | "pid" | "unit" | "manifest" | "runsAs">,
): string {
  const state = c.pid === undefined ? "not running" : `pid ${c.pid}`;
  const how = c.unit
    ? c.unit.name
    : c.manifest
      ? `static pod ${c.manifest}`
      : c.runsAs === "static-pod"
        ? "static pod"
        : "no systemd unit";
  return `${c.component} (${state}, ${how})`;
}

export interface DiscoverOptions {
  procRoot?: string;
  /** Where this machine reads the node's own files (/etc/kubernetes/manifests when no kubelet is seen). */
  hostRoot?: string;
  /** The API server the user's kubeconfig dials: picks this cluster's processes among several. */
  apiServer?: { host: string; port: number };
}

const UNIT_DIRS = [
  "/etc/systemd/system",
  "/run/systemd/system",
  "/usr/lib/systemd/system",
  "/lib/systemd/system",
];

const KUBECONFIG_FLAGS: Partial<Record<Component, string[]>> = {
  "kube-controller-manager": ["kubeconfig", "authentication-kubeconfig", "authorization-kubeconfig"],
  "kube-scheduler": ["kubeconfig", "authentication-kubeconfig", "authorization-kubeconfig"],
  kubelet: ["kubeconfig", "bootstrap-kubeconfig"],
  "kube-proxy": ["kubeconfig"],
};

export async function discoverNode(options: DiscoverOptions = {}): Promise<NodeDiscovery> {
  const procRoot = options.procRoot ?? "/proc";
  const scan = await scanProcesses(procRoot);
  const warnings: string[] = [];
  const unseen = scan.unreadable.filter((u) => u.file === "cmdline");
  if (unseen.length > 0)
    warnings.push(
      `could not read the command lines of ${unseen.length} processes (${unseen[0]?.code}): components among them were not seen; run as root`,
    );
  const running = await Promise.all(scan.processes.map((p) => describeProcess(p, procRoot, warnings)));
  const all = [...running, ...(await staticPodsNotRunning(running, options.hostRoot ?? "/", warnings))];
  for (const u of scan.unreadable.filter((x) => x.file === "environ")) {
    const c = all.find((x) => x.pid === u.pid);
    if (c?.component === "etcd" && !c.unit?.environmentFiles.length)
      warnings.push(
        `could not read the environment of etcd (pid ${u.pid}, ${u.code}): settings it takes from ETCD_* variables were not seen; run as root`,
      );
  }
  const { chosen, others } = pickCluster(all, options.apiServer, warnings);
  return {
    components: chosen,
    otherClusters: others.map((c) => ({ component: c.component, pid: c.pid })),
    warnings,
  };
}

async function describeProcess(p: NodeProcess, procRoot: string, warnings: string[]): Promise<NodeComponent> {
  const root = path.join(procRoot, String(p.pid), "root");
  const cwd = path.join(procRoot, String(p.pid), "cwd");
  const view = (file: string) =>
    resolveInRoot(root, path.isAbsolute(file) ? file : path.join(readCwd(cwd), file));
  const unit = await findUnit(p, view);
  let env = p.env;
  if (env === undefined && unit) {
    // The environment could not be read: what the unit gives it is the next best thing.
    env = { ...unit.environment };
    for (const f of unit.environmentFiles) {
      try {
        Object.assign(env, parseEnvironmentFile(await readFile(view(f), "utf8")));
      } catch {
        // an optional file that is not there
      }
    }
  }
  return describe(
    {
      component: p.component,
      pid: p.pid,
      argv: p.argv,
      runsAs: unit ? "systemd" : (await inKubepods(procRoot, p.pid)) ? "static-pod" : "process",
      ...(unit && { unit: { name: unit.name, file: unit.file, environmentFiles: unit.environmentFiles } }),
      view,
    },
    env,
    warnings,
  );
}

type Described = Pick<NodeComponent, "component" | "pid" | "argv" | "runsAs" | "unit" | "manifest" | "view">;

/** Its settings, its --config and the kubeconfigs it names, read through its view. */
async function describe(
  p: Described,
  env: Record<string, string> | undefined,
  warnings: string[],
): Promise<NodeComponent> {
  const { view } = p;
  const flags = parseFlags(p.argv.slice(1));
  const isEtcd = p.component === "etcd";
  const settings = isEtcd ? etcdSettings(flags, env) : flags;
  const c: NodeComponent = {
    ...p,
    settings,
    origin: (name) => (isEtcd ? etcdSettingOrigin(flags, name) : `--${name}`),
    kubeconfigs: [],
  };
  const configFile = settings.get("config");
  if (configFile && (p.component === "kubelet" || p.component === "kube-proxy")) {
    try {
      const doc = load(await readFile(view(configFile), "utf8")) as Record<string, unknown>;
      c.config = { file: configFile, doc: doc ?? {} };
    } catch (err) {
      warnings.push(
        `could not read ${p.component}'s --config ${configFile} (${(err as NodeJS.ErrnoException).code ?? "not YAML"})`,
      );
    }
  }
  const named: [string, string][] = (KUBECONFIG_FLAGS[p.component] ?? []).flatMap((flag) => {
    const file = settings.get(flag);
    return file ? [[`--${flag}`, file] as [string, string]] : [];
  });
  const fromConfig = (c.config?.doc.clientConnection as { kubeconfig?: string } | undefined)?.kubeconfig;
  if (p.component === "kube-proxy" && fromConfig && !named.some(([, f]) => f === fromConfig))
    named.push(["config clientConnection.kubeconfig", fromConfig]);
  const seen = new Set<string>();
  for (const [flag, file] of named) {
    if (seen.has(file)) continue;
    seen.add(file);
    c.kubeconfigs.push({ flag, file, kubeconfig: await readComponentKubeconfig(file, view) });
  }
  return c;
}

const DEFAULT_STATIC_POD_PATH = "/etc/kubernetes/manifests";

/**
 * Marks each running process that a static pod runs, and describes the static pods whose process
 * is not running (down, or crash-looping) from their manifests. The manifests are where the
 * kubelet's staticPodPath says, read as the kubelet sees them; with no kubelet seen, in the node's
 * /etc/kubernetes/manifests and in that of each component's own mount namespace.
 */
async function staticPodsNotRunning(
  running: NodeComponent[],
  hostRoot: string,
  warnings: string[],
): Promise<NodeComponent[]> {
  const hostView = (p: string) => resolveInRoot(hostRoot, p);
  const dirs: { dir: string; view: (p: string) => string }[] = [];
  for (const k of running.filter((c) => c.component === "kubelet")) {
    const dir = k.settings.get("pod-manifest-path") ?? k.config?.doc.staticPodPath;
    if (typeof dir === "string" && dir !== "") dirs.push({ dir, view: k.view });
  }
  if (dirs.length === 0) {
    dirs.push({ dir: DEFAULT_STATIC_POD_PATH, view: hostView });
    for (const c of running)
      if (c.runsAs !== "systemd") dirs.push({ dir: DEFAULT_STATIC_POD_PATH, view: c.view });
  }
  // One directory reached through several processes' roots (/proc/<pid>/root of each component
  // in one mount namespace) is read once: the same device and inode.
  const seen = new Set<string>();
  const pods: { container: StaticPodContainer; view: (p: string) => string }[] = [];
  for (const { dir, view } of dirs) {
    const at = fileIdentity(view(dir));
    if (at === undefined || seen.has(at)) continue;
    seen.add(at);
    for (const container of await readStaticPods(dir, view, warnings)) pods.push({ container, view });
  }
  const missing: NodeComponent[] = [];
  for (const { container, view } of pods) {
    const runs = running.find(
      (c) =>
        c.component === container.component && c.manifest === undefined && sameFlags(c.argv, container.argv),
    );
    if (runs) {
      runs.manifest = container.manifest;
      if (runs.runsAs === "process") runs.runsAs = "static-pod";
      continue;
    }
    missing.push(
      await describe(
        {
          component: container.component,
          argv: container.argv,
          runsAs: "static-pod",
          manifest: container.manifest,
          view: (p) => view(nodePathOf(container, p)),
        },
        container.env,
        warnings,
      ),
    );
  }
  return missing;
}

/** The process's working directory as it names it (/proc/<pid>/cwd's target); "/" when unknown. */
function readCwd(cwdLink: string): string {
  try {
    return readlinkSync(cwdLink);
  } catch {
    return "/";
  }
}

/**
 * `file` as the process sees it, read from this machine through `root` (/proc/<pid>/root). Absolute
 * symlinks (kubelet-client-current.pem links to a dated file) are followed inside `root`: the
 * kernel would follow them from this machine's root instead.
 */
export function resolveInRoot(root: string, file: string): string {
  const parts = file.split("/").filter((p) => p !== "" && p !== ".");
  const done: string[] = [];
  for (let hops = 0; parts.length > 0; ) {
    const part = parts.shift() as string;
    if (part === "..") {
      done.pop();
      continue;
    }
    const at = path.join(root, ...done, part);
    let target: string | undefined;
    try {
      if (lstatSync(at).isSymbolicLink()) target = readlinkSync(at);
    } catch {
      // not there (yet): the caller's read says so
    }
    if (target === undefined) {
      done.push(part);
      continue;
    }
    if (++hops > 40) return at;
    if (target.startsWith("/")) done.length = 0;
    parts.unshift(...target.split("/").filter((p) => p !== "" && p !== "."));
  }
  return path.join(root, ...done);
}

async function inKubepods(procRoot: string, pid: number): Promise<boolean> {
  try {
    return /kubepods/.test(await readFile(path.join(procRoot, String(pid), "cgroup"), "utf8"));
  } catch {
    return false;
  }
}

interface FoundUnit {
  name: string;
  file?: string;
  environmentFiles: string[];
  environment: Record<string, string>;
}

/** The unit that runs the process: named by its cgroup, or the unit file whose ExecStart runs its program. */
async function findUnit(p: NodeProcess, view: (f: string) => string): Promise<FoundUnit | undefined> {
  const candidates: { name: string; file: string }[] = [];
  for (const dir of UNIT_DIRS) {
    let names: string[];
    try {
      names = await readdir(view(dir));
    } catch {
      continue;
    }
    for (const name of names.sort())
      if (name.endsWith(".service") && (p.unit === undefined || name === p.unit))
        candidates.push({ name, file: path.posix.join(dir, name) });
  }
  for (const { name, file } of candidates) {
    let text: string;
    try {
      text = await readFile(view(file), "utf8");
    } catch {
      continue;
    }
    const unit = parseUnit(text);
    const program = unit.execStart[0];
    if (
      p.unit === undefined &&
      (program === undefined || path.basename(program) !== path.basename(p.argv[0] ?? ""))
    )
      continue;
    // Several units may run the same program (etcd of two clusters): the one whose flags match.
    if (p.unit === undefined && !sameFlags(unit.execStart, p.argv)) continue;
    return {
      name,
      file,
      environmentFiles: unit.environmentFiles.map((f) => f.path),
      environment: unit.environment,
    };
  }
  return p.unit ? { name: p.unit, environmentFiles: [], environment: {} } : undefined;
}

function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  const fa = parseFlags(a.slice(1));
  const fb = parseFlags(b.slice(1));
  if (fa.size !== fb.size) return false;
  for (const [k, v] of fa) if (fb.get(k) !== v) return false;
  return true;
}

const hostPort = (url: string): string | undefined => {
  try {
    const u = new URL(url);
    return `${u.hostname.replace(/^\[|\]$/g, "")}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
  } catch {
    return undefined;
  }
};

/** The addresses (host:port) an API server answers at, from its flags. */
function apiServerAddresses(c: NodeComponent): string[] {
  const port = c.settings.get("secure-port") ?? "6443";
  return [c.settings.get("advertise-address"), c.settings.get("bind-address")]
    .filter((h): h is string => !!h && h !== "0.0.0.0" && h !== "::")
    .map((h) => `${h}:${port}`);
}

function etcdClientAddresses(c: NodeComponent): string[] {
  return [
    ...listFlag(c.settings.get("advertise-client-urls")),
    ...listFlag(c.settings.get("listen-client-urls")),
  ]
    .map(hostPort)
    .filter((a): a is string => a !== undefined);
}

/**
 * The processes of one cluster: the API server at `target` (or the only one here), the etcd
 * members it dials, and the components whose kubeconfig dials it.
 */
function pickCluster(
  all: NodeComponent[],
  target: DiscoverOptions["apiServer"],
  warnings: string[],
): { chosen: NodeComponent[]; others: NodeComponent[] } {
  const apiServers = all.filter((c) => c.component === "kube-apiserver");
  const targetAddress = target && `${target.host.replace(/^\[|\]$/g, "")}:${target.port}`;
  let mine = targetAddress ? apiServers.filter((c) => apiServerAddresses(c).includes(targetAddress)) : [];
  if (mine.length === 0 && apiServers.length === 1) mine = apiServers;
  if (mine.length === 0 && apiServers.length <= 1 && !targetAddress) return { chosen: all, others: [] };
  if (mine.length === 0 && apiServers.length > 1) {
    warnings.push(
      `${apiServers.length} API servers run on this node and none listens at ${targetAddress ?? "the kubeconfig's server"}: their files were not read (${apiServers.map(componentLabel).join(", ")})`,
    );
  }
  const servers = new Set([...(targetAddress ? [targetAddress] : []), ...mine.flatMap(apiServerAddresses)]);
  const etcdServers = new Set(
    mine
      .flatMap((c) => listFlag(c.settings.get("etcd-servers")).map(hostPort))
      .filter((a) => a !== undefined),
  );
  const single = apiServers.length <= 1;
  const ours = new Set<NodeComponent>();
  const unmatched: NodeComponent[] = [];
  for (const c of all) {
    if (c.component === "kube-apiserver") {
      if (mine.includes(c)) ours.add(c);
    } else if (c.component === "etcd") {
      if (etcdServers.size > 0 ? etcdClientAddresses(c).some((a) => etcdServers.has(a)) : single) ours.add(c);
    } else {
      const dialed = c.kubeconfigs.map((k) => k.kubeconfig.server && hostPort(k.kubeconfig.server));
      if (dialed.some((a) => a && servers.has(a)) || (single && dialed.every((a) => !a))) ours.add(c);
      else unmatched.push(c);
    }
  }
  // One API server here, and a kubeconfig that dials another address: a load balancer in front of
  // it, when that component is the only one of its kind. A second kubelet or scheduler dialing
  // elsewhere belongs to another cluster whose API server is not running (stopped, or starting).
  if (single && mine.length <= 1)
    for (const c of unmatched) {
      const kind = (x: NodeComponent) => x.component === c.component;
      if (![...ours].some(kind) && unmatched.filter(kind).length === 1) ours.add(c);
    }
  return { chosen: all.filter((c) => ours.has(c)), others: all.filter((c) => !ours.has(c)) };
}
