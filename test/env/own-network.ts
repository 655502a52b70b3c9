// A network namespace of one process's own, joined to the test namespace by a veth pair. kube-proxy
// programs nftables for the whole namespace it runs in; every test cluster shares one, so each
// binary install's kube-proxy gets its own and reaches its API server through the pair. The
// namespace lives as long as the process: when it exits, the namespace and the pair are gone.
import { execFile } from "node:child_process";
import { readlinkSync } from "node:fs";
import { promisify } from "node:util";
import type { ManagedProcess } from "./process.js";
import { waitFor } from "./process.js";

const run = promisify(execFile);

export interface OwnNetwork {
  /** Wraps argv: it runs in a new network namespace and waits there for the pair before it starts. */
  wrap(argv: string[]): string[];
  /** Gives the process's namespace its end of the pair: 169.254.<block>.2, routed through .1. */
  connect(proc: ManagedProcess): Promise<void>;
  /** Runs argv in the process's network namespace. */
  exec(proc: ManagedProcess, argv: string[]): Promise<string>;
}

export function ownNetwork(block: number): OwnNetwork {
  const host = `kp${block}`;
  const inner = "eth0";
  const gateway = `169.254.${block}.1`;
  const address = `169.254.${block}.2/30`;
  const setUp = [
    `while ! ip link show ${inner} >/dev/null 2>&1; do sleep 0.05; done`,
    "ip link set lo up",
    `ip addr add ${address} dev ${inner}`,
    `ip link set ${inner} up`,
    `ip route add default via ${gateway}`,
    'exec "$@"',
  ].join(" && ");
  return {
    wrap: (argv) => ["unshare", "--net", "--", "sh", "-c", setUp, "sh", ...argv],
    async connect(proc) {
      const pid = proc.child.pid;
      const ours = readlinkSync("/proc/self/ns/net");
      // The pair is made once the process has its namespace (unshare has run).
      await waitFor(
        `a network namespace of its own for ${proc.name}`,
        async () => {
          try {
            return readlinkSync(`/proc/${pid}/ns/net`) !== ours ? true : undefined;
          } catch {
            return undefined;
          }
        },
        { timeoutMs: 10_000, intervalMs: 20 },
      );
      // A restarted process: the last one's pair goes when its namespace is freed.
      await waitFor(
        `veth ${host} for ${proc.name}`,
        async () => {
          try {
            await run("ip", [
              "link",
              "add",
              host,
              "type",
              "veth",
              "peer",
              "name",
              inner,
              "netns",
              String(pid),
            ]);
            return true;
          } catch (err) {
            if (/File exists/.test(String((err as { stderr?: string }).stderr))) return undefined;
            throw err;
          }
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      await run("ip", ["addr", "add", `${gateway}/30`, "dev", host]);
      await run("ip", ["link", "set", host, "up"]);
    },
    async exec(proc, argv) {
      const { stdout } = await run("nsenter", [`--net=/proc/${proc.child.pid}/ns/net`, ...argv]);
      return stdout;
    },
  };
}
