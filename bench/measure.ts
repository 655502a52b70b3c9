import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Command {
  label: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** Exit codes that mean the command did its work; default 0 only. Exit 1 is "findings" for kubemend. */
  okExitCodes?: number[];
}

export interface Sample {
  wallMs: number;
  /** Peak resident set size of the command (GNU time's %M). */
  maxRssKb: number;
  code: number;
}

/**
 * Runs a command once under GNU time for its peak RSS; the wall time is taken here with a
 * monotonic clock around the spawn. Output is discarded: only the cost of producing it counts.
 */
export function measure(command: Command): Promise<Sample> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kubemend-bench-"));
  const out = path.join(dir, "time");
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "%M", "-o", out, ...command.argv], {
      stdio: ["ignore", "ignore", "pipe"],
      env: command.env ?? process.env,
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      try {
        const maxRssKb = Number(readFileSync(out, "utf8").trim().split("\n").pop());
        if (!(command.okExitCodes ?? [0]).includes(code ?? -1))
          reject(
            new Error(`${command.label} exited ${code}: ${stderr.trim().split("\n").slice(-2).join(" ")}`),
          );
        else resolve({ wallMs, maxRssKb, code: code ?? 0 });
      } catch (err) {
        reject(err);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
