import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BinaryCluster, startBinaryCluster } from "../env/binary-cluster.js";
import { kubectlPlugin } from "./plugins.js";

// netcheck on a binary install, where kube-proxy (a real one, in nftables mode) runs as a systemd
// service and the CNI would too, not as DaemonSet pods: netcheck says what it could not see and
// how to look on a node, and never calls kube-proxy broken because no kube-proxy pod exists.

interface Finding {
  code: string;
  severity: string;
  subject: Record<string, string>;
  evidence?: Record<string, unknown>;
  next?: string;
}

describe("kubectl netcheck on a binary install", () => {
  let c: BinaryCluster;
  beforeAll(async () => {
    c = await startBinaryCluster();
  }, 240_000);
  afterAll(async () => {
    await c?.stop();
  });
  const netcheck = async (...args: string[]) => {
    const r = await kubectlPlugin(["netcheck", "--kubeconfig", c.adminKubeconfig, ...args, "-o", "json"]);
    return { code: r.code, stderr: r.stderr, out: JSON.parse(r.stdout) as { items: Finding[] } };
  };

  for (const args of [["cluster"], ["svc", "kubernetes", "-n", "default"]])
    it(`netcheck ${args.join(" ")}: no kube-proxy or CNI alarm, a note on where to look for each`, async () => {
      const { out, stderr } = await netcheck(...args);
      const agents = out.items.filter((f) => /KUBE_PROXY|CNI|AGENT/.test(f.code));
      expect(stderr).toBe("");
      expect(agents.map((f) => [f.code, f.severity, f.evidence?.role])).toEqual([
        ["AGENT_NOT_SEEN", "info", "kube-proxy"],
        ["AGENT_NOT_SEEN", "info", "cni"],
      ]);
      expect(agents[0]?.next).toMatch(/^on each node: systemctl status kube-proxy/);
      // kube-proxy is there and working: the kubernetes Service is in the rules it programmed.
      expect(await c.kubeProxyRules()).toMatch(/table ip kube-proxy[\s\S]*10\.64\.0\.1/);
      // This env runs no CoreDNS: that one is real, and the only alarm.
      expect(out.items.filter((f) => f.severity !== "info").map((f) => f.code)).toEqual(["DNS_UNHEALTHY"]);
    });
});
