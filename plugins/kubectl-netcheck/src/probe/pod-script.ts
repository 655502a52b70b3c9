// The short-lived probe pod: what it runs (a busybox shell script), and how its log reads back
// into the same error signatures the API server's proxy gives (refused, timeout, NXDOMAIN, HTTP
// status). Everything here is pure; probe/pod.ts does the I/O.

import type { KubeObject } from "@kubemend/lib/kube/client";
import { resolveTargetPort } from "../checks/policy.js";
import { portsInScope } from "../checks/ports.js";
import { isPodReady, type Pod, type Service } from "../model.js";
import { PROBE_PODS } from "./probe.js";
import type { ProbeResult } from "./signature.js";

export const DEFAULT_PROBE_IMAGE = "busybox:1.37";
export const PROBE_LABELS = {
  "app.kubernetes.io/name": "kubectl-netcheck",
  "app.kubernetes.io/component": "probe",
  "app.kubernetes.io/managed-by": "kubectl-netcheck",
} as const;
export const PROBE_TARGET_ANNOTATION = "netcheck.kubemend.dev/target";
/** Seconds each connection attempt may take inside the pod. */
export const STEP_SECONDS = 5;

export type PodProbeKind = "dns" | "service" | "cluster-ip" | "pod";

export interface PodProbe {
  /** Unique in the script, no spaces: "dns", "service/http", "pod/web-1/8080". */
  id: string;
  kind: PodProbeKind;
  /** What was probed, for people: "web.shop.svc.cluster.local:80". */
  target: string;
  /** The shell words after `probe ID` in the script. */
  command: string[];
}

/**
 * In the order the Debug Services guide walks: the Service's DNS name, then its name and its
 * ClusterIP on each port (kube-proxy), then up to PROBE_PODS ready pods directly (pod network).
 * Only cluster-internal names and addresses are ever probed.
 */
export function planPodProbes(
  service: Service,
  pods: readonly Pod[],
  options: { port?: string; clusterDomain: string },
): PodProbe[] {
  const namespace = service.metadata.namespace as string;
  const fqdn = `${service.metadata.name}.${namespace}.svc.${options.clusterDomain}`;
  const out: PodProbe[] = [
    {
      id: "dns",
      kind: "dns",
      target: fqdn,
      command: ["timeout", String(2 * STEP_SECONDS), "nslookup", fqdn],
    },
  ];
  const clusterIP = service.spec.clusterIP;
  const hasClusterIP = clusterIP !== undefined && clusterIP !== "" && clusterIP !== "None";
  for (const sp of portsInScope(service.spec.ports ?? [], options.port)) {
    if ((sp.protocol ?? "TCP") !== "TCP") continue;
    const ref = sp.name || String(sp.port);
    if (hasClusterIP) {
      out.push({
        id: `service/${ref}`,
        kind: "service",
        target: `${fqdn}:${sp.port}`,
        command: http(fqdn, sp.port),
      });
      out.push({
        id: `cluster-ip/${ref}`,
        kind: "cluster-ip",
        target: `${clusterIP}:${sp.port}`,
        command: http(clusterIP, sp.port),
      });
    }
    for (const pod of pods.filter(isPodReady).slice(0, PROBE_PODS)) {
      const port = resolveTargetPort(sp, pod);
      const ip = pod.status?.podIP;
      if (port === undefined || !ip) continue;
      out.push({
        id: `pod/${pod.metadata.name}/${port}`,
        kind: "pod",
        target: `${pod.metadata.name} (${ip}:${port})`,
        command: http(ip, port),
      });
    }
  }
  return out;
}

function http(host: string, port: number): string[] {
  return ["http", host, String(port)];
}

const MARK = "=== netcheck";

/**
 * The pod's script, for busybox sh. HTTP goes through nc with one request line and only the
 * status line is kept: busybox wget follows redirects, which could lead outside the cluster.
 * nc's own connect timeout is shorter than the outer timeout, so a dial that hangs says
 * "timed out" and a connection that never answers is "Terminated".
 */
export function probeScript(probes: readonly PodProbe[]): string {
  const lines = [
    `http() { printf 'GET / HTTP/1.0\\r\\nHost: %s\\r\\nUser-Agent: kubectl-netcheck\\r\\n\\r\\n' "$1" | timeout ${STEP_SECONDS + 2} nc -w ${STEP_SECONDS} "$1" "$2" 2>&1 | head -n 1; }`,
    `probe() { id=$1; shift; echo "${MARK} $id"; "$@" 2>&1; echo "${MARK}-exit $id $?"; }`,
    ...probes.map((p) => ["probe", p.id, ...p.command].map(shellWord).join(" ")),
    `echo "${MARK}-done"`,
  ];
  return `${lines.join("\n")}\n`;
}

function shellWord(word: string): string {
  return /^[\w./:@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export interface ProbeLogEntry {
  id: string;
  output: string;
  /** Missing when the pod stopped (its deadline) before the probe finished. */
  exitCode?: number;
}

/** Splits the pod's log by the script's markers. */
export function parseProbeLog(log: string): { entries: ProbeLogEntry[]; done: boolean } {
  const entries: ProbeLogEntry[] = [];
  let current: ProbeLogEntry | undefined;
  let done = false;
  for (const line of log.split("\n")) {
    if (line === `${MARK}-done`) {
      done = true;
      current = undefined;
      continue;
    }
    const exit = line.match(/^=== netcheck-exit (\S+) (\d+)$/);
    if (exit && current && current.id === exit[1]) {
      current.exitCode = Number(exit[2]);
      current = undefined;
      continue;
    }
    const start = line.match(/^=== netcheck (\S+)$/);
    if (start) {
      current = { id: start[1] as string, output: "" };
      entries.push(current);
      continue;
    }
    if (current) current.output += `${line}\n`;
  }
  for (const e of entries) e.output = e.output.trim();
  return { entries, done };
}

/** Reads one probe's output (busybox nslookup, or nc's status line) into an error signature. */
export function interpretPodProbe(kind: PodProbeKind, entry: ProbeLogEntry | undefined): ProbeResult {
  if (!entry || entry.exitCode === undefined)
    return { outcome: "timeout", detail: "the probe pod stopped before this probe finished" };
  const out = entry.output;
  const detail = out.split("\n").find((l) => l.trim() !== "") ?? `exit code ${entry.exitCode}`;
  if (kind === "dns") {
    const nx = out.match(/server can't find [^\n]*: NXDOMAIN/);
    if (nx) return { outcome: "nxdomain", detail: nx[0] };
    if (/connection timed out; no servers could be reached/.test(out) || entry.exitCode === 143)
      return { outcome: "timeout", detail: "no DNS server answered" };
    if (/Connection refused/i.test(out)) return { outcome: "refused", detail };
    const addresses = [...out.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]);
    if (entry.exitCode === 0 && addresses.length > 0)
      return { outcome: "ok", detail: `resolves to ${addresses.join(", ")}` };
    return { outcome: "error", detail };
  }
  const status = out.match(/^HTTP\/\d(?:\.\d)? (\d{3})/m);
  if (status) {
    const code = Number(status[1]);
    return code < 400 ? { outcome: "ok", status: code } : { outcome: "http-error", status: code };
  }
  if (/Connection refused/i.test(out)) return { outcome: "refused", detail };
  if (/timed out/i.test(out)) return { outcome: "timeout", detail };
  if (/bad address/i.test(out)) return { outcome: "nxdomain", detail };
  if (/unreachable|no route to host/i.test(out)) return { outcome: "unreachable", detail };
  if (out === "" || /^Terminated$/m.test(out))
    return {
      outcome: "not-http",
      detail:
        out === ""
          ? "connected, closed without an HTTP answer"
          : `connected, no answer in ${STEP_SECONDS + 2}s`,
    };
  return { outcome: "error", detail };
}

/** The cluster domain from the Corefile's kubernetes plugin (`kubernetes cluster.local in-addr.arpa ...`). */
export function clusterDomain(corefile: string | undefined): string {
  const zone = corefile?.match(/^\s*kubernetes\s+([a-z0-9.-]+)/m)?.[1];
  return zone?.replace(/\.$/, "") || "cluster.local";
}

export interface ProbePodOptions {
  name: string;
  namespace: string;
  image: string;
  deadlineSeconds: number;
  target: string;
  script: string;
}

/** The probe pod: one container, no privileges, no service account token, ended by activeDeadlineSeconds. */
export function probePodManifest(o: ProbePodOptions): KubeObject & { spec: Record<string, unknown> } {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { ...PROBE_LABELS },
      annotations: { [PROBE_TARGET_ANNOTATION]: o.target },
    },
    spec: {
      restartPolicy: "Never",
      activeDeadlineSeconds: o.deadlineSeconds,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [
        {
          name: "probe",
          image: o.image,
          command: ["sh", "-c", o.script],
          securityContext: {
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          },
          resources: {
            requests: { cpu: "10m", memory: "16Mi" },
            limits: { cpu: "100m", memory: "32Mi" },
          },
        },
      ],
    },
  };
}
