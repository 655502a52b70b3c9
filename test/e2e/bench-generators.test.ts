import { X509Certificate } from "node:crypto";
import { gunzipSync } from "node:zlib";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { privateKeyMatchesCertificate } from "@kubemend/lib/x509/keys";
import { parseCertificateBundle } from "@kubemend/lib/x509/pem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EtcdGateway, fillEtcd } from "../../bench/generators/etcd-db.js";
import { benchLabels, core, selector } from "../../bench/generators/objects.js";
import {
  createServicesAndPods,
  GENERATOR as SERVICES_GENERATOR,
  type ServicesResult,
} from "../../bench/generators/services-pods.js";
import {
  GENERATOR as CSR_GENERATOR,
  fileServingCsrs,
  prepareServingRequests,
  type ServingRequest,
} from "../../bench/generators/serving-csrs.js";
import {
  createSecrets,
  planSecrets,
  GENERATOR as SECRETS_GENERATOR,
} from "../../bench/generators/tls-secrets.js";
import { startCluster, type TestCluster } from "../env/cluster.js";
import { stopProcess, waitFor } from "../env/process.js";
import { CSRS } from "../env/standin/api.js";
import type { CertificateSigningRequest } from "../env/standin/csr.js";
import type { Pod } from "../env/standin/pods.js";
import { kubectlPlugin } from "./plugins.js";

// The benchmark workloads (bench/generators) at a small scale on one real control plane: each
// makes what it says, in the numbers asked for, and the objects have the shape the benchmarks need.
describe("bench generators", () => {
  let cluster: TestCluster;
  let admin: KubeClient;
  let services: ServicesResult | undefined;
  const seed = 20261123;

  beforeAll(async () => {
    cluster = await startCluster();
    admin = await cluster.admin();
  });
  afterAll(async () => {
    services?.stop();
    await cluster?.stop();
  });

  interface Secret {
    metadata: { name: string; namespace: string; labels?: Record<string, string> };
    type: string;
    data?: Record<string, string>;
  }
  const listSecrets = async (labels: Record<string, string>) => {
    const items: Secret[] = [];
    for await (const s of admin.list<Secret>(core("secrets"), { labelSelector: selector(labels) }))
      items.push(s);
    return items;
  };
  const text = (value: string | undefined) => Buffer.from(value ?? "", "base64").toString();

  describe("tls-secrets", () => {
    const workload = { seed, tls: 20, other: 10, broken: 4, namespaces: 3 };
    let secrets: Secret[];

    beforeAll(async () => {
      const result = await createSecrets(admin, workload);
      expect(result.created).toEqual({
        tls: 20,
        opaque: 5,
        "service-account-token": 2,
        "helm-release": 3,
        "broken-tls": 4,
      });
      secrets = await listSecrets(benchLabels(SECRETS_GENERATOR, seed));
    });

    it("creates the planned secrets, by type, in at most the requested namespaces", () => {
      const byType = (type: string) => secrets.filter((s) => s.type === type).length;
      expect(secrets).toHaveLength(34);
      expect(byType("kubernetes.io/tls")).toBe(24);
      expect(byType("Opaque")).toBe(5);
      expect(byType("kubernetes.io/service-account-token")).toBe(2);
      expect(byType("helm.sh/release.v1")).toBe(3);
      const names = secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort();
      expect(names).toEqual(
        planSecrets(workload)
          .map((p) => `${p.namespace}/${p.name}`)
          .sort(),
      );
      expect(new Set(secrets.map((s) => s.metadata.namespace)).size).toBeLessThanOrEqual(3);
    });

    it("gives TLS secrets a leaf and its intermediate in tls.crt, the root in ca.crt, and the leaf's key", () => {
      const parsed = secrets
        .filter((s) => s.type === "kubernetes.io/tls")
        .map((s) => ({ s, bundle: parseCertificateBundle(text(s.data?.["tls.crt"])) }))
        .filter(({ bundle }) => bundle.certificates.length > 0);
      expect(parsed).toHaveLength(20);
      const keyTypes = new Set<string>();
      let expired = 0;
      for (const { s } of parsed) {
        const pems = text(s.data?.["tls.crt"]).match(
          /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g,
        );
        expect(pems).toHaveLength(2);
        const [leaf, intermediate] = (pems as string[]).map((pem) => new X509Certificate(pem)) as [
          X509Certificate,
          X509Certificate,
        ];
        const root = new X509Certificate(text(s.data?.["ca.crt"]));
        expect(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey)).toBe(true);
        expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true);
        expect(intermediate.ca && root.ca && !leaf.ca).toBe(true);
        expect(privateKeyMatchesCertificate(text(s.data?.["tls.key"]), leaf.toString())).toBe(true);
        keyTypes.add(leaf.publicKey.asymmetricKeyType ?? "");
        if (new Date(leaf.validTo) < new Date()) expired++;
      }
      expect([...keyTypes].sort()).toEqual(["ec", "rsa"]);
      expect(expired).toBe(1);
    });

    it("makes the unparsable ones kubernetes.io/tls with no certificate in tls.crt", () => {
      const tls = secrets.filter((s) => s.type === "kubernetes.io/tls");
      const broken = tls.filter(
        (s) => parseCertificateBundle(text(s.data?.["tls.crt"])).certificates.length === 0,
      );
      expect(broken).toHaveLength(4);
    });

    it("stores Helm releases as Helm does and gets service-account tokens filled by the controller", async () => {
      for (const s of secrets.filter((x) => x.type === "helm.sh/release.v1")) {
        const release = JSON.parse(gunzipSync(Buffer.from(text(s.data?.release), "base64")).toString());
        expect(s.metadata.name).toBe(`sh.helm.release.v1.${release.name}.v${release.version}`);
        expect(s.metadata.labels).toMatchObject({ owner: "helm", name: release.name });
      }
      await waitFor("token controller", async () => {
        const tokens = (await listSecrets(benchLabels(SECRETS_GENERATOR, seed))).filter(
          (s) => s.type === "kubernetes.io/service-account-token" && s.data?.token,
        );
        return tokens.length === 2 ? true : undefined;
      });
    });
  });

  describe("serving-csrs", () => {
    let requests: ServingRequest[];
    let names: string[];

    beforeAll(async () => {
      requests = await prepareServingRequests(admin, { seed, count: 5, block: cluster.block });
      names = await fileServingCsrs(admin, requests, { seed, run: "1" });
    });

    it("files one pending kubelet-serving CSR per light node, as that node", async () => {
      expect(names).toHaveLength(5);
      const csrs: CertificateSigningRequest[] = [];
      for await (const csr of admin.list<CertificateSigningRequest>(CSRS, {
        labelSelector: selector(benchLabels(CSR_GENERATOR, seed)),
      }))
        csrs.push(csr);
      expect(csrs.map((c) => c.metadata.name).sort()).toEqual([...names].sort());
      const nodes = requests.map((r) => r.node.name);
      for (const csr of csrs) {
        expect(csr.spec.signerName).toBe("kubernetes.io/kubelet-serving");
        expect(nodes).toContain(csr.spec.username?.replace("system:node:", ""));
        expect((csr.spec as { groups?: string[] }).groups).toContain("system:nodes");
        expect(csr.status?.conditions ?? []).toEqual([]);
      }
      const node = await admin.get<{ status: { addresses: { type: string; address: string }[] } }>({
        ...core("nodes"),
        name: nodes[0] as string,
      });
      expect(node.status.addresses).toContainEqual({ type: "InternalIP", address: requests[0]?.node.ip });
    });

    it("makes CSRs that kubectl csr approve-serving would approve, every one", async () => {
      const result = await kubectlPlugin([
        "csr",
        "approve-serving",
        "--all",
        "--dry-run=client",
        "-o",
        "json",
        "--kubeconfig",
        cluster.adminKubeconfig,
      ]);
      expect(result.code).toBe(0);
      const plan = JSON.parse(result.stdout) as { items: { name: string; verdict: string }[] };
      const ours = plan.items.filter((i) => names.includes(i.name));
      expect(ours.map((i) => i.verdict)).toEqual(names.map(() => "approve"));
    });

    it("files a fresh set for the next run from the same requests", async () => {
      const again = await fileServingCsrs(admin, requests, { seed, run: "2" });
      expect(again).toHaveLength(5);
      expect(again.filter((n) => names.includes(n))).toEqual([]);
    });
  });

  describe("services-pods", () => {
    beforeAll(async () => {
      services = await createServicesAndPods(admin, {
        seed,
        services: 6,
        pods: 30,
        namespaces: 2,
        block: cluster.block,
      });
    });

    it("creates the Services and Running, Ready pods bound to Ready light nodes", async () => {
      const labels = benchLabels(SERVICES_GENERATOR, seed);
      const pods: Pod[] = [];
      for await (const pod of admin.list<Pod>(core("pods"), { labelSelector: selector(labels) }))
        pods.push(pod);
      expect(pods).toHaveLength(30);
      for (const pod of pods) {
        expect(pod.status?.phase).toBe("Running");
        expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
        expect(pod.spec.nodeName).toBe(services?.nodes[0]?.name);
      }
      expect(new Set(pods.map((p) => p.status?.podIP)).size).toBe(30);
      let count = 0;
      for await (const _ of admin.list(core("services"), { labelSelector: selector(labels) })) count++;
      expect(count).toBe(6);
    });

    it("has the controller-manager's EndpointSlices list every pod, ready, under its Service", async () => {
      expect(services?.readyEndpoints).toBe(30);
      const plan = services?.plan;
      if (!plan) throw new Error("no plan");
      const ref = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };
      for (const [index, service] of plan.services.entries()) {
        const addresses: string[] = [];
        for await (const slice of admin.list<{ endpoints?: { addresses: string[] }[] }>(
          { ...ref, namespace: service.namespace },
          { labelSelector: `kubernetes.io/service-name=${service.name}` },
        ))
          for (const e of slice.endpoints ?? []) addresses.push(...e.addresses);
        const expected = plan.pods.filter((p) => p.service === index).map((p) => p.ip);
        expect(addresses.sort()).toEqual(expected.sort());
      }
    });
  });

  // Last: kube-apiserver is stopped first, as it would choke on these values in its watch caches.
  describe("etcd-db", () => {
    it("fills etcd to the target size with /registry keys of each resource", async () => {
      services?.stop();
      const apiserver = cluster.processes["kube-apiserver"];
      if (apiserver) await stopProcess(apiserver);
      const target = 2 * 1024 * 1024;
      const result = await fillEtcd(cluster.etcd, { seed, targetBytes: target });
      expect(result.status.dbSize).toBeGreaterThanOrEqual(target);
      expect(result.valueBytes).toBeGreaterThan(0);
      expect(Object.values(result.byResource).reduce((a, b) => a + b, 0)).toBe(result.keys);
      expect(result.byResource.pods).toBeGreaterThan(0);
      expect(result.byResource.events).toBeGreaterThan(0);
      const gateway = new EtcdGateway(cluster.etcd);
      try {
        expect(await gateway.count("/registry/pods/ns-")).toBe(result.byResource.pods);
        expect(await gateway.count("/registry/events/ns-")).toBe(result.byResource.events);
      } finally {
        gateway.close();
      }
    });
  });
});
