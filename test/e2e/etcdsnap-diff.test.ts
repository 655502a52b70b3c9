import { execFileSync } from "node:child_process";
import { copyFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TestCluster } from "../env/cluster.js";
import type { Kubelet } from "../env/kubelet.js";
import { startControlPlane } from "../env/scenarios.js";
import { kubectlPlugin } from "./plugins.js";

interface Change {
  change: "added" | "removed" | "changed";
  key: string;
  group: string;
  resource: string;
  namespace?: string;
  name: string;
  revisionA: number | null;
  revisionB: number | null;
}
interface Summary {
  group: string;
  resource: string;
  added: number;
  removed: number;
  changed: number;
}
interface Diff {
  headline: string;
  a: { file: string; revision: number };
  b: { file?: string; endpoint?: string; revision: number };
  summary: Summary[];
  changes: Change[];
}

const NS = "s1-diff";
/**
 * What controllers write on their own after the Deployment scales, and what the API server and
 * controllers rewrite on a timer (leases, the endpoint reconciler, peer leases, range repair).
 */
const CONTROLLER_WRITES = new Set([
  "replicasets",
  "pods",
  "endpoints",
  "endpointslices",
  "events",
  "leases",
  "masterleases",
  "peerserverleases",
  "rangeallocations",
  // The real kubelet writes its Node's status on its own schedule (images, conditions).
  "nodes",
]);

// The S1 story on the real control plane: snapshot, then scale a Deployment, delete a Service and
// create a Secret; `diff --live` (keys and revisions read from etcd found through its mirror pod)
// names each of those changes and nothing else of those kinds, and restore-plan carries the summary.
describe("kubectl etcdsnap diff and inspect", () => {
  let cluster: TestCluster;
  let node: Kubelet;
  let dir: string;
  let before: string;
  let after: string;
  let clusterIp: string;

  beforeAll(async () => {
    ({ cluster, node } = await startControlPlane());
    dir = await mkdtemp(path.join(tmpdir(), "kubemend-etcdsnap-diff-e2e-"));
  });
  afterAll(async () => {
    await node?.stop();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const etcdsnap = (...args: string[]) =>
    kubectlPlugin(["etcdsnap", "--kubeconfig", cluster.adminKubeconfig, ...args]);
  const kubectl = async (...args: string[]) => {
    const r = await cluster.kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const save = async () => {
    const r = await etcdsnap("save", "--dir", dir, "-o", "json");
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { path: string }).path;
  };
  const diffJson = async (...args: string[]) => {
    const r = await etcdsnap("diff", ...args, "-o", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as Diff;
  };
  const touched = (d: Diff) =>
    d.changes
      .filter((c) => !CONTROLLER_WRITES.has(c.resource) && c.resource !== "(not kubernetes)")
      .map((c) => ({ change: c.change, resource: c.resource, namespace: c.namespace, name: c.name }));
  const expectS1 = (d: Diff) => {
    expect(touched(d)).toEqual([
      { change: "changed", resource: "deployments", namespace: NS, name: "web" },
      // The deleted Service's ClusterIP, which the API server keeps as an IPAddress object.
      { change: "removed", resource: "ipaddresses", namespace: undefined, name: clusterIp },
      { change: "added", resource: "secrets", namespace: NS, name: "s1-new" },
      { change: "removed", resource: "services", namespace: NS, name: "web" },
    ]);
    const of = (resource: string) => d.summary.find((s) => s.resource === resource);
    expect(of("deployments")).toEqual({
      group: "apps",
      resource: "deployments",
      added: 0,
      removed: 0,
      changed: 1,
    });
    expect(of("services")).toEqual({ group: "", resource: "services", added: 0, removed: 1, changed: 0 });
    expect(of("secrets")).toEqual({ group: "", resource: "secrets", added: 1, removed: 0, changed: 0 });
    expect(d.headline).toMatch(
      new RegExp(`^restoring ${path.basename(before).replaceAll(".", "\\.")} would: `),
    );
    for (const part of ["1 Deployment reverts", "1 Secret disappears", "1 Service comes back"])
      expect(d.headline).toContain(part);
  };

  it("S1: snapshot, then scale a Deployment, delete a Service, create a Secret", async () => {
    await kubectl("create", "namespace", NS);
    await kubectl(
      "create",
      "deployment",
      "web",
      "-n",
      NS,
      "--image=registry.k8s.io/pause:3.10",
      "--replicas=1",
    );
    await kubectl("create", "service", "clusterip", "web", "-n", NS, "--tcp=80:80");
    // Let the deployment controller settle the status first, so later writes come from the scale.
    await vi.waitFor(
      async () => {
        const g = await kubectl(
          "get",
          "deployment",
          "web",
          "-n",
          NS,
          "-o",
          "jsonpath={.status.observedGeneration}",
        );
        expect(g).toBe("1");
      },
      { timeout: 30_000, interval: 300 },
    );
    clusterIp = await kubectl("get", "service", "web", "-n", NS, "-o", "jsonpath={.spec.clusterIP}");
    // The controller-manager's own first writes (each namespace's kube-root-ca.crt, the aggregated
    // admin, edit and view ClusterRoles) land before the snapshot, so the diff holds only ours. A
    // slow controller-manager once wrote them in between (a make test under load).
    await vi.waitFor(
      async () => {
        for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease", NS])
          await kubectl("get", "configmap", "kube-root-ca.crt", "-n", ns);
        for (const role of ["admin", "edit", "view"])
          expect(await kubectl("get", "clusterrole", role, "-o", "jsonpath={.rules}")).not.toBe("");
      },
      { timeout: 60_000, interval: 300 },
    );
    before = await save();
    await kubectl("scale", "deployment", "web", "-n", NS, "--replicas=3");
    await kubectl("delete", "service", "web", "-n", NS);
    await kubectl("create", "secret", "generic", "s1-new", "-n", NS, "--from-literal=k=v");
  });

  it("diff --live names the scaled Deployment, the deleted Service and the new Secret, and says what a restore does", async () => {
    const d = await diffJson(before, "--live");
    expect(d.b.endpoint).toBe(cluster.etcd.endpoint);
    expect(d.b.revision).toBeGreaterThan(d.a.revision);
    expectS1(d);
    const deployment = d.changes.find((c) => c.resource === "deployments") as Change;
    expect(deployment.key).toBe(`/registry/deployments/${NS}/web`);
    expect(deployment.revisionB).toBeGreaterThan(deployment.revisionA as number);
    const table = await etcdsnap("diff", before, "--live");
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^restoring .* would: .*1 Deployment reverts/);
    expect(table.stdout).toMatch(new RegExp(`removed\\s+services\\s+${NS}\\s+web`));
    // The tables count from A to B, and say so; the headline says what restoring A would do.
    expect(table.stdout).toMatch(/^RESOURCE +ADDED SINCE A +REMOVED SINCE A +CHANGED SINCE A$/m);
    expect(table.stdout).toMatch(/^SINCE A +RESOURCE +NAMESPACE +NAME +REV A +REV B$/m);
  });

  it("diff of two snapshot files finds the same changes", async () => {
    after = await save();
    const d = await diffJson(before, after);
    expect(d.b).toEqual({ file: after, revision: expect.any(Number) });
    expectS1(d);
  });

  it("restore-plan carries what the restore rolls back, read from the live etcd", async () => {
    const r = await etcdsnap("restore-plan", before, "-o", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      changes?: { headline: string; liveRevision: number; summary: Summary[] };
    };
    expect(plan.changes?.headline).toContain("1 Deployment reverts");
    expect(plan.changes?.summary.find((s) => s.resource === "services")).toMatchObject({ removed: 1 });
    const table = await etcdsnap("restore-plan", before);
    expect(table.stdout).toMatch(
      /Against the live etcd \(revision \d+\), restoring .* would: .*1 Service comes back/,
    );
  });

  it("inspect agrees with etcdutl on the live key count and shows the namespace and its Secret", async () => {
    const r = await etcdsnap("inspect", after, "--top", "50", "-o", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as {
      totalKeys: number;
      revision: number;
      resources: { resource: string; keys: number }[];
      namespaces: { namespace: string; objects: number }[];
      secrets: { total: number; encrypted: number; providers: { provider: string; keys: number }[] };
      members: { name: string }[];
      problems: number;
    };
    // The peer: the real etcdutl, on a copy (it opens the file read-write).
    const copy = `${after}.etcdutl`;
    copyFileSync(after, copy);
    const peer = JSON.parse(
      execFileSync(path.join(cluster.bin, "etcdutl"), ["snapshot", "status", copy, "-w", "json"], {
        encoding: "utf8",
      }),
    ) as { revision: number; totalKey: number; version: string };
    expect(peer.version).not.toBe("");
    expect(got.revision).toBe(peer.revision);
    expect(got.totalKeys).toBe(peer.totalKey);
    expect(got.problems).toBe(0);
    expect(got.members.map((m) => m.name)).toEqual([cluster.nodeName]);
    expect(got.namespaces.find((n) => n.namespace === NS)?.objects).toBeGreaterThanOrEqual(2);
    // The test cluster has no EncryptionConfiguration: every Secret is stored in the clear.
    expect(got.secrets.encrypted).toBe(0);
    expect(got.secrets.providers).toEqual([{ provider: "identity", keys: got.secrets.total }]);
  });
});
