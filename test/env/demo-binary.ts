// `make demo ARGS="--shape binary"`: a binary-install cluster (cfssl PKI, systemd units, no
// kubeadm) with the operators' own mistakes planted, then each plugin's headline command on it.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBinaryCluster } from "./binary-cluster.js";

export interface DemoTools {
  run(args: string[], kubeconfig: string): Promise<{ code: number; out: string }>;
  banner(text: string): void;
}

/** Runs the headlines once; resolves with whether any command itself failed, and the cluster's stop. */
export async function binaryDemo(tools: DemoTools): Promise<{ failed: boolean; stop(): Promise<void> }> {
  const started = Date.now();
  const cluster = await startBinaryCluster({
    serviceIpSanMistake: true,
    etcdSanMissingMember: true,
    expiredKubeletClient: true,
  });
  console.log(`binary install ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`kubeconfig (admin):  ${cluster.adminKubeconfig}`);
  console.log(
    `nodes' files:        ${path.join(cluster.root, "nodes")}/m1..m3 (mounted at their real paths for each process)`,
  );
  console.log("planted: kubernetes.pem made for 10.96.0.1 while the Service range gives 10.64.0.1; etcd.pem");
  console.log("         without m3's address; m1's kubelet client certificate expired");
  const snapshots = mkdtempSync(path.join(os.tmpdir(), "kubemend-demo-binary-snapshots-"));
  let failed = false;
  const headline = async (args: string[], why: string) => {
    tools.banner(`kubectl ${args.join(" ")}   # ${why}`);
    const result = await tools.run(args, cluster.adminKubeconfig);
    process.stdout.write(result.out);
    if (result.code >= 2) {
      console.log(`demo: kubectl ${args.join(" ")} exited ${result.code}`);
      failed = true;
    }
    return result;
  };
  await headline(
    ["certs", "expiry", "--source", "node"],
    "every file the processes use, by role, with the mistakes",
  );
  const saved = await headline(
    ["etcdsnap", "save", "--dir", snapshots, "-o", "json"],
    "found from the systemd units, no flags",
  );
  let file: string | undefined;
  try {
    file = (JSON.parse(saved.out) as { path?: string }).path;
  } catch {
    file = undefined;
  }
  if (file) await headline(["etcdsnap", "restore-plan", file], "systemd steps for each of the 3 members");
  await headline(["netcheck", "cluster"], "kube-proxy and the CNI are host services here");
  return { failed, stop: () => cluster.stop() };
}
