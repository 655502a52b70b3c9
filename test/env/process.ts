import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import https from "node:https";

/** A control-plane process with the command line it was started with (mirror pods show it). */
export interface ManagedProcess {
  name: string;
  /** The component's own command line, as its static pod manifest or systemd unit gives it. */
  command: string[];
  child: ChildProcess;
  log: string;
}

/**
 * Starts `argv` (default: the command itself; a wrapper that execs the command otherwise), with
 * `env` as its whole environment when given (a systemd unit's Environment and EnvironmentFile).
 */
export function startProcess(
  name: string,
  command: string[],
  log: string,
  argv = command,
  env?: NodeJS.ProcessEnv,
): ManagedProcess {
  const [file, ...args] = argv;
  const out = createWriteStream(log, { flags: "a" });
  const child = spawn(file as string, args, { stdio: ["ignore", "pipe", "pipe"], ...(env && { env }) });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return { name, command, child, log };
}

export async function stopProcess(proc: ManagedProcess, graceMs = 5_000): Promise<void> {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  {
    timeoutMs = 60_000,
    intervalMs = 200,
    failFast,
  }: { timeoutMs?: number; intervalMs?: number; failFast?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const fatal = failFast?.();
    if (fatal) throw new Error(`${what}: ${fatal}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`,
      );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** GET over TLS with client credentials; resolves with the status code and body. */
export function httpsGet(
  url: string,
  tls: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; rejectUnauthorized?: boolean },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ...tls, timeout: 5_000 }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url}`)));
    req.on("error", reject);
  });
}
