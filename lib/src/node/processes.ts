// The Kubernetes components running on this machine, from /proc: their command lines, their
// environment and their systemd unit, whatever runs them (systemd, a static pod's container).
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

export const COMPONENTS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubelet",
  "kube-proxy",
] as const;
export type Component = (typeof COMPONENTS)[number];

export interface NodeProcess {
  pid: number;
  component: Component;
  argv: string[];
  /** Its environment; undefined when /proc/<pid>/environ could not be read. */
  env?: Record<string, string>;
  /** The systemd unit that runs it, from /proc/<pid>/cgroup ("etcd.service"). */
  unit?: string;
}

export interface ProcessScan {
  processes: NodeProcess[];
  /** What could not be read, one entry per process and file. */
  unreadable: { pid: number; component?: Component; file: "cmdline" | "environ"; code: string }[];
}

const isComponent = (name: string): name is Component => (COMPONENTS as readonly string[]).includes(name);

/** The component a command line runs: its program's name, or hyperkube's first argument. */
export function componentOf(argv: readonly string[]): Component | undefined {
  const program = path.basename(argv[0] ?? "");
  if (isComponent(program)) return program;
  if (program === "hyperkube" && isComponent(argv[1] ?? "")) return argv[1] as Component;
  return undefined;
}

function nulList(buf: Buffer): string[] {
  const parts = buf.toString("utf8").split("\0");
  if (parts.at(-1) === "") parts.pop();
  return parts;
}

function envOf(buf: Buffer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of nulList(buf)) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** A systemd service's name from a cgroup v1 or v2 path ("0::/system.slice/etcd.service"). */
export function unitFromCgroup(text: string): string | undefined {
  for (const line of text.split("\n")) {
    const m = /\/([^/\s]+\.service)(?:\/|$)/.exec(line.slice(line.lastIndexOf(":") + 1));
    if (m) return m[1];
  }
  return undefined;
}

export async function scanProcesses(procRoot = "/proc"): Promise<ProcessScan> {
  const scan: ProcessScan = { processes: [], unreadable: [] };
  let entries: string[];
  try {
    entries = await readdir(procRoot);
  } catch (err) {
    scan.unreadable.push({ pid: 0, file: "cmdline", code: (err as NodeJS.ErrnoException).code ?? "EIO" });
    return scan;
  }
  const pids = entries.filter((e) => /^\d+$/.test(e)).map(Number);
  await Promise.all(
    pids.map(async (pid) => {
      if (pid === process.pid) return;
      const dir = path.join(procRoot, String(pid));
      let argv: string[];
      try {
        argv = nulList(await readFile(path.join(dir, "cmdline")));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "EIO";
        // A process that exited while we looked is not something we failed to see.
        if (code !== "ENOENT" && code !== "ESRCH") scan.unreadable.push({ pid, file: "cmdline", code });
        return;
      }
      const component = componentOf(argv);
      if (!component) return;
      const proc: NodeProcess = { pid, component, argv };
      try {
        proc.env = envOf(await readFile(path.join(dir, "environ")));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "EIO";
        // It exited between the two reads (a restart): gone, not unseen.
        if (code === "ENOENT" || code === "ESRCH") return;
        scan.unreadable.push({ pid, component, file: "environ", code });
      }
      try {
        proc.unit = unitFromCgroup(await readFile(path.join(dir, "cgroup"), "utf8"));
      } catch {
        // no cgroup file: not under systemd as far as we can tell
      }
      scan.processes.push(proc);
    }),
  );
  scan.processes.sort((a, b) => a.pid - b.pid);
  return scan;
}
