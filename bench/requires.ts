import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Required } from "./suite.js";

const run = promisify(execFile);

/**
 * The required subcommands the built plugins do not have, each as one line naming it. A plugin's
 * --help lists its subcommands as "kubectl <plugin> <command> ...".
 */
export async function missingCommands(repo: string, required: readonly Required[]): Promise<string[]> {
  const missing: string[] = [];
  for (const { plugin, command } of required) {
    const bin = path.join(repo, "bin", `kubectl-${plugin}`);
    let help = "";
    try {
      help = (await run(bin, ["--help"])).stdout;
    } catch (err) {
      missing.push(
        `kubectl-${plugin} is not built or does not start (${(err as Error).message.split("\n")[0]})`,
      );
      continue;
    }
    const listed = new RegExp(`^\\s+kubectl ${plugin} ${command}(\\s|$)`, "m");
    if (!listed.test(help))
      missing.push(`\`kubectl ${plugin} ${command}\` does not exist yet (plugins/kubectl-${plugin})`);
  }
  return missing;
}
