import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const PLUGIN_BIN = path.join(REPO, "bin");
export const PLUGINS = ["certs", "csr", "etcdsnap", "netcheck"] as const;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs the real kubectl with the built plugins first on PATH, so `kubectl certs ...` dispatches
 * to bin/kubectl-certs exactly as it does for a user. Only PATH, HOME and the given variables
 * reach it.
 */
export function kubectlPlugin(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<RunResult> {
  return runKubectl(pinnedKubectl(), args, env, timeoutMs);
}

/** The kubectl the e2e tests use: the pinned build that test/e2e/setup.ts names. */
export function pinnedKubectl(): string {
  const kubectl = process.env.KUBEMEND_KUBECTL;
  if (!kubectl)
    throw new Error("KUBEMEND_KUBECTL is not set: the e2e project's global setup names the pinned kubectl");
  return kubectl;
}

/** The host's own kubectl (whatever version is on PATH), for the dispatch checks that must hold with it too. */
export function hostKubectl(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runKubectl("kubectl", args, env, 120_000);
}

/**
 * The same with stdout on a terminal, as in an operator's shell: util-linux `script` runs kubectl
 * on a pseudo-terminal. stderr (progress) is discarded, so what comes back is the results alone.
 */
export function kubectlOnTerminal(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const quoted = [pinnedKubectl(), ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  return runKubectl("script", ["-qec", `${quoted} 2>/dev/null`, "/dev/null"], env, 120_000);
}

function runKubectl(
  file: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<RunResult> {
  if (!existsSync(path.join(PLUGIN_BIN, "kubectl-certs")))
    throw new Error("the plugins are not built: run `npm run build` (make test does)");
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        env: {
          PATH: `${PLUGIN_BIN}${path.delimiter}${process.env.PATH}`,
          HOME: process.env.HOME ?? "/tmp",
          ...env,
        },
        timeout: timeoutMs,
        maxBuffer: 256 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

/** A plugin left running (a watch, a replica) until the test has seen what it waits for. */
export interface RunningPlugin {
  /** What it has printed so far. */
  output(): { stdout: string; stderr: string };
  /** SIGTERM, as the kubelet sends a pod's container on deletion; the result says how it ended. */
  stop(): Promise<RunResult>;
  result: Promise<RunResult>;
}

/**
 * Starts `kubectl <args>` like kubectlPlugin, without waiting for it. kubectl execs the plugin in
 * its own process, so the SIGTERM of stop() reaches the plugin itself.
 */
export function startKubectlPlugin(args: string[], env: Record<string, string> = {}): RunningPlugin {
  const started = Date.now();
  const child = spawn(pinnedKubectl(), args, {
    env: {
      PATH: `${PLUGIN_BIN}${path.delimiter}${process.env.PATH}`,
      HOME: process.env.HOME ?? "/tmp",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const result = new Promise<RunResult>((resolve) => {
    child.once("error", (err) => resolve({ code: 127, stdout, stderr: `${stderr}${err.message}`, ms: 0 }));
    child.once("close", (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, ms: Date.now() - started }),
    );
  });
  return {
    output: () => ({ stdout, stderr }),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return result;
    },
    result,
  };
}
