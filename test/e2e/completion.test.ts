import { createCsr, generateKey } from "@kubemend/lib/x509/issue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../env/cluster.js";
import { kubectlPlugin, PLUGINS } from "./plugins.js";

// kubectl (>= 1.26) completes `kubectl <plugin> …` by running kubectl_complete-<plugin> from PATH;
// `kubectl __complete …` is what the shell's completion script calls.
const SUBCOMMANDS: Record<(typeof PLUGINS)[number], string[]> = {
  certs: ["expiry", "sans", "inspect"],
  csr: ["list", "approve-serving", "deny"],
  etcdsnap: ["save", "status", "list", "prune", "restore-plan", "restore", "inspect", "diff", "schedule"],
  netcheck: ["svc", "pod", "dns", "cluster", "policy"],
};

function candidates(stdout: string): string[] {
  return stdout
    .trimEnd()
    .split("\n")
    .map((l) => l.split("\t")[0] as string);
}

describe("completion through kubectl", () => {
  it.each(PLUGINS)("kubectl __complete %s '' lists the subcommands", async (plugin) => {
    const result = await kubectlPlugin(["__complete", plugin, ""]);
    expect(result.code).toBe(0);
    const got = candidates(result.stdout);
    for (const sub of SUBCOMMANDS[plugin]) expect(got).toContain(sub);
    expect(got.at(-1)).toBe(":4");
  });

  it("completes a subcommand's flags and a flag's choices", async () => {
    const flags = candidates((await kubectlPlugin(["__complete", "certs", "expiry", "--"])).stdout);
    expect(flags).toContain("--source");
    expect(flags).toContain("--kubeconfig");
    const colors = candidates((await kubectlPlugin(["__complete", "csr", "list", "--color", ""])).stdout);
    expect(colors).toEqual(["auto", "always", "never", ":4"]);
  });
});

describe("completion of resource names and snapshot files through kubectl", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster();
    const admin = await cluster.admin();
    const key = await generateKey("ecdsa-p256");
    const request = await createCsr({ cn: "system:node:worker-1", o: ["system:nodes"], key: key.privateKey });
    await admin.create(
      { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" },
      {
        apiVersion: "certificates.k8s.io/v1",
        kind: "CertificateSigningRequest",
        metadata: { name: "csr-complete-me" },
        spec: {
          request: Buffer.from(request).toString("base64"),
          signerName: "kubernetes.io/kubelet-serving",
          usages: ["digital signature", "server auth"],
        },
      },
    );
    await admin.create(
      { group: "", version: "v1", resource: "services", namespace: "default" },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "complete-me" },
        spec: { selector: { app: "x" }, ports: [{ port: 80 }] },
      },
    );
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const complete = async (...words: string[]) => {
    const result = await kubectlPlugin(["__complete", ...words]);
    expect(result.code).toBe(0);
    return candidates(result.stdout);
  };

  it("offers pending CSR names to approve-serving and deny", async () => {
    const kubeconfig = ["--kubeconfig", cluster.adminKubeconfig];
    expect(await complete("csr", "approve-serving", ...kubeconfig, "csr-")).toEqual([
      "csr-complete-me",
      ":4",
    ]);
    expect(await complete("csr", "deny", ...kubeconfig, "")).toContain("csr-complete-me");
  });

  it("offers Service names in the namespace to netcheck svc, and apiserver to certs inspect", async () => {
    const kubeconfig = ["--kubeconfig", cluster.adminKubeconfig];
    expect(await complete("netcheck", "svc", ...kubeconfig, "-n", "default", "")).toEqual([
      "complete-me",
      "kubernetes",
      ":4",
    ]);
    expect(await complete("certs", "inspect", ...kubeconfig, "api")).toEqual(["apiserver", ":4"]);
  });

  it("asks the shell for *.db files where etcdsnap takes a snapshot file", async () => {
    for (const sub of ["status", "inspect", "diff", "restore", "restore-plan"])
      expect(await complete("etcdsnap", sub, "")).toEqual(["db", ":8"]);
  });
});
