import { spawn } from "node:child_process";
import path from "node:path";
import { ENV_DIR } from "./paths.js";

const SCRIPT = path.join(ENV_DIR, "build-controlplane.sh");
let built: Promise<string> | undefined;

/**
 * The directory with etcd, etcdctl, etcdutl, kube-apiserver, kube-controller-manager and
 * kube-scheduler (and etcd-legacy/), built from Go modules on first use and cached outside the
 * repo. KUBEMEND_CONTROLPLANE_BIN names a ready directory and skips the build check.
 */
export function controlPlaneBin(): Promise<string> {
  const preset = process.env.KUBEMEND_CONTROLPLANE_BIN;
  if (preset) return Promise.resolve(preset);
  built ??= buildScript(SCRIPT);
  return built;
}

/** Runs a cached build script of test/env; it prints the directory it built on its last line. */
export function buildScript(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(out.trim().split("\n").pop() as string);
      else reject(new Error(`${path.relative(path.dirname(ENV_DIR), script)} exited ${code}`));
    });
  });
}
