// Test helper: runs the plugin in-process, as main() would, with captured streams.
import { runPlugin } from "@kubemend/lib/cli/app";
import { bufferStreams } from "@kubemend/lib/cli/io";
import { etcdsnap } from "./plugin.js";

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runEtcdsnap(argv: string[], env: NodeJS.ProcessEnv = {}, now?: Date): Promise<Ran> {
  const io = bufferStreams();
  const code = await runPlugin(etcdsnap, argv, {
    io,
    clock: { now: () => now ?? new Date() },
    env: { KUBECONFIG: "/nonexistent/kubeconfig", ...env },
  });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}
