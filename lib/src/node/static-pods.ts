// Static pods: the manifests in the kubelet's staticPodPath, read as the kubelet reads them (every
// file not starting with ".", YAML or JSON). A container's paths are mapped to the node's through
// its hostPath volumes, so a component whose process is not running (crash-looping on an expired
// certificate) can still be read from its manifest.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { load } from "js-yaml";
import { type Component, componentOf } from "./processes.js";

export interface StaticPodContainer {
  /** The manifest's path as the node names it. */
  manifest: string;
  component: Component;
  /** command followed by args, as the container runtime starts it. */
  argv: string[];
  env: Record<string, string>;
  /** mountPath → the node's path, from hostPath volumes. */
  mounts: { containerPath: string; hostPath: string }[];
}

interface Container {
  command?: unknown;
  args?: unknown;
  env?: unknown;
  volumeMounts?: unknown;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

function containersOf(manifest: string, pod: unknown): StaticPodContainer[] {
  const spec = (pod as { kind?: unknown; spec?: { containers?: unknown; volumes?: unknown } } | null)?.spec;
  if ((pod as { kind?: unknown })?.kind !== "Pod" || !spec) return [];
  const hostPaths = new Map<string, string>();
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    const name = (v as { name?: unknown }).name;
    const hostPath = (v as { hostPath?: { path?: unknown } }).hostPath?.path;
    if (typeof name === "string" && typeof hostPath === "string") hostPaths.set(name, hostPath);
  }
  const out: StaticPodContainer[] = [];
  for (const c of (Array.isArray(spec.containers) ? spec.containers : []) as Container[]) {
    const argv = [...strings(c.command), ...strings(c.args)];
    const component = componentOf(argv);
    if (!component) continue;
    const env: Record<string, string> = {};
    for (const e of Array.isArray(c.env) ? c.env : [])
      if (typeof e?.name === "string" && typeof e.value === "string") env[e.name] = e.value;
    const mounts = (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).flatMap((m) => {
      const hostPath = hostPaths.get(m?.name);
      return hostPath && typeof m.mountPath === "string" ? [{ containerPath: m.mountPath, hostPath }] : [];
    });
    out.push({ manifest, component, argv, env, mounts });
  }
  return out;
}

/**
 * The control-plane containers of every static pod in `dir`; `view` turns the node's path into one
 * this machine reads. An unreadable or unparsable manifest is one warning.
 */
export async function readStaticPods(
  dir: string,
  view: (p: string) => string,
  warnings: string[],
): Promise<StaticPodContainer[]> {
  let names: string[];
  try {
    names = await readdir(view(dir));
  } catch {
    return [];
  }
  const out: StaticPodContainer[] = [];
  for (const name of names.filter((n) => !n.startsWith(".")).sort()) {
    const manifest = path.posix.join(dir, name);
    let doc: unknown;
    try {
      doc = load(await readFile(view(manifest), "utf8"));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EISDIR") continue;
      warnings.push(`could not read the static pod manifest ${manifest} (${code ?? "not YAML or JSON"})`);
      continue;
    }
    out.push(...containersOf(manifest, doc));
  }
  return out;
}

/** The node's path for a path inside the container: through the deepest hostPath mount that holds it. */
export function nodePathOf(container: StaticPodContainer, p: string): string {
  let best: { containerPath: string; hostPath: string } | undefined;
  for (const m of container.mounts) {
    const under = p === m.containerPath || p.startsWith(`${m.containerPath.replace(/\/$/, "")}/`);
    if (under && (!best || m.containerPath.length > best.containerPath.length)) best = m;
  }
  return best ? path.posix.join(best.hostPath, p.slice(best.containerPath.length)) : p;
}
