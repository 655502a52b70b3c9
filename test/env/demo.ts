// `make demo`: a sandbox cluster with the seed incidents planted, then each plugin's headline
// command against it. Keeps the cluster up until Ctrl-C, or makes one pass with --once (CI).
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { binaryDemo } from "./demo-binary.js";
import { REPO } from "./paths.js";
import { startSandbox } from "./scenarios.js";

const { values } = parseArgs({
  options: { once: { type: "boolean", default: false }, shape: { type: "string", default: "kubeadm" } },
});
if (values.shape !== "kubeadm" && values.shape !== "binary") {
  console.error(`demo: --shape is kubeadm (default) or binary, not "${values.shape}"`);
  process.exit(2);
}

interface Headline {
  plugin: string;
  args: string[];
  why: string;
}

function run(args: string[], kubeconfig: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      "kubectl",
      args,
      {
        env: {
          ...process.env,
          KUBECONFIG: kubeconfig,
          PATH: `${path.join(REPO, "bin")}${path.delimiter}${process.env.PATH}`,
        },
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) || 1 : 0, out: `${stdout}${stderr}` }),
    );
  });
}

function banner(text: string): void {
  console.log(`\n\u2500\u2500 ${text} ${"\u2500".repeat(Math.max(0, 90 - text.length))}`);
}

if (values.shape === "binary") {
  const started = Date.now();
  const demo = await binaryDemo({ run, banner });
  if (!values.once) {
    banner("the binary install stays up; Ctrl-C stops it");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
  }
  await demo.stop();
  console.log(`\ndemo: one pass done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(demo.failed ? 1 : 0);
}

const started = Date.now();
console.log(
  "kubemend demo: starting a sandbox cluster made by the real kubeadm (etcd, kube-apiserver, controller-manager, scheduler) with real kubelets…",
);
// One line, not a stack, when the sandbox cannot start (the env's own logs say the rest).
const sandbox = await startSandbox().catch((err: Error) => {
  console.error(`demo: the sandbox did not start: ${err.message.split("\n")[0]}`);
  process.exit(1);
});
const { cluster } = sandbox;
const admin = cluster.adminKubeconfig;
console.log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(
  `real kubelets: ${sandbox.kubelets.map((k) => k.name).join(", ")}; stand-in for the pod network: ${sandbox.podNode.name}`,
);

banner("the sandbox");
console.log(`kubeconfig (admin):               ${admin}`);
console.log(
  `kubeconfig through the balancer:  ${sandbox.kubeconfigs.viaLoadBalancer}   (S3: its address is not in the certificate)`,
);
console.log(`kubeconfig with an expired cert:  ${sandbox.kubeconfigs.expired}   (S4)`);
console.log(`network namespace:                ${process.env.KUBEMEND_NETNS}`);
console.log(
  `use it from another shell:        ip netns exec ${process.env.KUBEMEND_NETNS} kubectl --kubeconfig ${admin} get nodes`,
);
console.log(
  "planted: S1 Service myapp selects no pod and kube-proxy crash-loops on one node; S2/S5 two legacy",
);
console.log(
  "         kubelets without IP SANs and two Pending kubelet-serving CSRs; S3 load balancer not in",
);
console.log("         the API server certificate; S4 expired admin client certificate, and a kubelet");
console.log(
  "         certificate replaced on disk without its key, so the kubelet keeps serving the old one.",
);

for (const args of [
  ["get", "nodes", "-o", "wide"],
  ["get", "csr"],
  ["get", "pods", "-A", "-o", "wide"],
  ["get", "svc,endpointslices", "-n", "default"],
]) {
  banner(`kubectl ${args.join(" ")}`);
  process.stdout.write((await run(args, admin)).out);
}

const snapshots = mkdtempSync(path.join(os.tmpdir(), "kubemend-demo-snapshots-"));
const headlines: Headline[] = [
  { plugin: "certs", args: ["expiry"], why: "S2, S3, S4: every certificate that can take the cluster down" },
  {
    plugin: "certs",
    args: ["sans", "--address", cluster.loadBalancerIp],
    why: "S3: the load balancer's address is not in the API server certificate",
  },
  {
    plugin: "certs",
    args: [
      "expiry",
      "--source",
      "pki,nodes",
      "--pki-dir",
      cluster.pki.pkiDir,
      "--kubeconfig-dir",
      cluster.root,
      "--kubelet-pki-dir",
      sandbox.legacy.pkiDir,
    ],
    why: "S4: as on the control-plane node, with a kubelet certificate replaced on disk but not loaded",
  },
  {
    plugin: "csr",
    args: ["approve-serving", "--all"],
    why: "S2, S5: approve only the serving CSRs that belong to their node",
  },
  {
    plugin: "etcdsnap",
    args: ["save", "--dir", snapshots],
    why: "S1, S6: a verified snapshot, discovered with no flags",
  },
  { plugin: "netcheck", args: ["svc", "myapp"], why: "S1: why Service myapp has no endpoints" },
];
let failed = false;
for (const headline of headlines) {
  const help = await run([headline.plugin, "--help"], admin);
  const command = `kubectl ${headline.plugin} ${headline.args.join(" ")}`;
  banner(`${command}   # ${headline.why}`);
  if (!help.out.includes(`kubectl ${headline.plugin} ${headline.args[0]}`)) {
    console.log(
      `(not built yet: kubectl ${headline.plugin} has no "${headline.args[0]}" command; its synopsis:)`,
    );
    console.log(help.out.split("\n\n").slice(0, 2).join("\n\n"));
    continue;
  }
  const result = await run([headline.plugin, ...headline.args], admin);
  process.stdout.write(result.out);
  // Exit 1 means "findings", which is the point here; 2 and 3 mean the command itself failed.
  if (result.code >= 2) {
    console.log(`demo: ${command} exited ${result.code}`);
    failed = true;
  }
}

if (values.once) {
  await sandbox.stop();
  console.log(`\ndemo: one pass done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(failed ? 1 : 0);
}
banner("the sandbox stays up; Ctrl-C stops it");
await new Promise<void>((resolve) => {
  process.once("SIGINT", () => resolve());
  process.once("SIGTERM", () => resolve());
});
await sandbox.stop();
