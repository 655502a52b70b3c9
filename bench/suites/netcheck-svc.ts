import { startCluster } from "../../test/env/cluster.js";
import { createServicesAndPods, type PlannedService } from "../generators/services-pods.js";
import { type Suite, withPlugins } from "../suite.js";

const SEED = 8;

/** kubectl's Debug Services sequence for one Service, as an operator runs it by hand. */
function debugServicesScript({ namespace, name }: PlannedService): string {
  return [
    `kubectl get svc ${name} -n ${namespace} -o json`,
    `kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${name} -o json`,
    `kubectl get pods -n ${namespace} -l app=${name} -o json`,
    "kubectl get pods -n kube-system -l k8s-app=kube-proxy -o json",
  ].join(" && ");
}

/** One Service's verdict in a large cluster: kubectl netcheck svc against the Debug Services calls (issue #8). */
export const netcheckSvc: Suite = {
  name: "netcheck-svc",
  describe:
    "kubectl netcheck svc versus the Debug Services sequence of kubectl calls, with 2,000 Services and 20,000 pods",
  goal: { ratio: 1.0 },
  requires: [{ plugin: "netcheck", command: "svc" }],
  async prepare({ repo, scale }) {
    const cluster = await startCluster();
    let workload: Awaited<ReturnType<typeof createServicesAndPods>>;
    try {
      workload = await createServicesAndPods(
        await cluster.admin(),
        {
          seed: SEED,
          services: Math.max(1, Math.round(2_000 * scale)),
          pods: Math.max(1, Math.round(20_000 * scale)),
          namespaces: Math.max(2, Math.round(50 * scale)),
          block: cluster.block,
        },
        { onError: (err) => console.error(`bench: netcheck-svc: node heartbeat: ${(err as Error).message}`) },
      );
      console.error(
        `bench: netcheck-svc: ${workload.plan.services.length} Services, ${workload.plan.pods.length} pods on ${workload.nodes.length} nodes, ${workload.readyEndpoints} ready endpoints in ${(workload.ms / 1000).toFixed(1)} s`,
      );
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    const target = workload.plan.services[0] as PlannedService;
    return {
      a: {
        label: "kubectl netcheck svc",
        argv: [
          "kubectl",
          "netcheck",
          "svc",
          target.name,
          "-n",
          target.namespace,
          "--kubeconfig",
          cluster.adminKubeconfig,
        ],
        env: withPlugins(repo),
        // 1: findings (no kube-proxy runs in the test cluster); the verdict is what is timed.
        okExitCodes: [0, 1],
      },
      b: {
        label: "kubectl Debug Services sequence",
        argv: ["sh", "-c", debugServicesScript(target)],
        env: { ...process.env, KUBECONFIG: cluster.adminKubeconfig },
      },
      async teardown() {
        workload.stop();
        await cluster.stop();
      },
    };
  },
};
