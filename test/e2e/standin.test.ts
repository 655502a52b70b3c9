import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startCluster, type TestCluster } from "../env/cluster.js";
import { bootstrapNode } from "../env/standin/bootstrap.js";
import { BEHAVIOUR_ANNOTATION, type StandinNode, startNode } from "../env/standin/index.js";

// Node stand-ins against the real control plane, checked through the real kubectl: TLS
// bootstrap, registration, the kubelet endpoint's certificates (S2/S5), mirror pods with the
// true command lines, and pod status the real scheduler and EndpointSlice controller act on.
describe("node stand-ins", () => {
  let cluster: TestCluster;
  let controlPlane: StandinNode;
  let legacy: StandinNode;
  let bootstrapped: StandinNode;
  let kubeletClient: { ca: string; cert: string; key: string };

  beforeAll(async () => {
    cluster = await startCluster();
    [controlPlane, legacy, bootstrapped] = await Promise.all([
      startNode(cluster, { index: 1 }),
      startNode(cluster, { index: 2 }),
      startNode(cluster, { index: 3, serving: "serverTLSBootstrap" }),
    ]);
    const files = cluster.pki.path("apiserver-kubelet-client");
    kubeletClient = {
      ca: cluster.pki.ca.certPem,
      cert: readFileSync(files.cert, "utf8"),
      key: readFileSync(files.key, "utf8"),
    };
  });
  afterAll(async () => {
    await Promise.all([controlPlane?.stop(), legacy?.stop(), bootstrapped?.stop()]);
    await cluster?.stop();
  });

  const kubectl = async (...args: string[]) => {
    const result = await cluster.kubectl(args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  };
  const kubectlJson = async <T>(...args: string[]): Promise<T> =>
    JSON.parse(await kubectl(...args, "-o", "json"));
  const eventually = <T>(check: () => Promise<T>, timeout = 60_000) =>
    vi.waitFor(check, { timeout, interval: 500 });
  const allNodes = () => [controlPlane, legacy, bootstrapped];

  it("bootstraps each node with a client CSR the controller-manager approves and issues", async () => {
    const table = await kubectl("get", "csr");
    for (const node of allNodes()) {
      const row = table.split("\n").find((line) => line.startsWith(`${node.credentials.csrName} `));
      expect(row).toMatch(
        /kubernetes\.io\/kube-apiserver-client-kubelet\s+system:bootstrap:abcdef\s+.*Approved,Issued$/,
      );
      const cert = new X509Certificate(node.credentials.certPem);
      expect(cert.subject).toBe(`O=system:nodes\nCN=system:node:${node.name}`);
      expect(cert.verify(new X509Certificate(cluster.pki.ca.certPem).publicKey)).toBe(true);
    }
    const whoami = await cluster.kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"], {
      kubeconfig: bootstrapped.credentials.kubeconfig,
    });
    expect(whoami.stdout).toBe(`system:node:${bootstrapped.name}`);
  });

  it("registers Ready nodes with their InternalIP, and only the control-plane node tainted", async () => {
    const wide = await kubectl("get", "nodes", "-o", "wide");
    for (const node of allNodes()) {
      const row = wide.split("\n").find((line) => line.startsWith(`${node.name} `));
      expect(row).toMatch(
        new RegExp(
          `^${node.name}\\s+Ready\\s+\\S+\\s+\\S+\\s+v1\\.37\\.2\\s+${node.ip.replaceAll(".", "\\.")}\\s`,
        ),
      );
    }
    const list = await kubectlJson<List<ApiNode>>("get", "nodes");
    const byName = new Map(list.items.map((n) => [n.metadata.name, n]));
    const cp = byName.get(controlPlane.name);
    expect(cp?.metadata.labels).toHaveProperty("node-role.kubernetes.io/control-plane", "");
    expect(cp?.spec.taints).toEqual([{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]);
    const worker = byName.get(legacy.name);
    expect(worker?.status.daemonEndpoints.kubeletEndpoint.Port).toBe(10250);
    expect(worker?.status.addresses).toEqual([
      { type: "InternalIP", address: legacy.ip },
      { type: "Hostname", address: legacy.name },
    ]);
    const lease = await kubectlJson<{ spec: { holderIdentity: string } }>(
      "get",
      "lease",
      "-n",
      "kube-node-lease",
      legacy.name,
    );
    expect(lease.spec.holderIdentity).toBe(legacy.name);
  });

  it("lets a node read and change only itself (Node authorizer, NodeRestriction)", async () => {
    const asNode = (...args: string[]) =>
      cluster.kubectl(args, { kubeconfig: bootstrapped.credentials.kubeconfig });
    const other = await asNode("label", "node", legacy.name, "stolen=yes");
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain(
      `node '${bootstrapped.name}' cannot read '${legacy.name}', only its own Node object`,
    );
    const steer = await asNode("label", "node", bootstrapped.name, "node-role.kubernetes.io/control-plane=");
    expect(steer.code).not.toBe(0);
    expect(steer.stderr).toContain("is not allowed to modify labels: node-role.kubernetes.io/control-plane");
    expect((await asNode("label", "node", bootstrapped.name, "example.com/rack=r1")).code).toBe(0);
  });

  it("legacy: serves a certificate for the hostname only, with no IP SANs (S2)", async () => {
    const insecure = await handshake(legacy.ip, { ...kubeletClient, rejectUnauthorized: false });
    expect(insecure.cert?.subject).toMatch(new RegExp(`^CN=${legacy.name}@\\d+$`));
    expect(insecure.cert?.subjectAltName).toBe(`DNS:${legacy.name}`);
    expect(insecure.cert?.issuer).toMatch(new RegExp(`^CN=${legacy.name}-ca@\\d+$`));
    const verified = await handshake(legacy.ip, kubeletClient);
    expect(verified.error).toMatch(/self[- ]signed|unable to (get|verify)/i);
    expect(tls.checkServerIdentity(legacy.ip, insecure.peer as tls.PeerCertificate)?.message).toContain(
      `IP: ${legacy.ip} is not in the cert's list`,
    );
  });

  it("requires a client certificate from the cluster CA on :10250", async () => {
    const anonymous = await handshake(legacy.ip, { ca: kubeletClient.ca, rejectUnauthorized: false });
    // TLS 1.3 reports the refused handshake on the first read: the alert names the missing certificate.
    expect(anonymous.error ?? anonymous.httpError).toMatch(/certificate required/);
    const healthz = await httpsGet(`https://${legacy.ip}:10250/healthz`, {
      ...kubeletClient,
      rejectUnauthorized: false,
    });
    expect(healthz).toEqual({ status: 200, body: "ok" });
  });

  it("serverTLSBootstrap: the serving CSR stays Pending until approved, then the IP SAN certificate is served", async () => {
    const csrName = await eventually(async () => {
      const name = bootstrapped.pendingServingCsr();
      if (!name) throw new Error("no serving CSR yet");
      return name;
    });
    const csr = await kubectlJson<ApiCsr>("get", "csr", csrName);
    expect(csr.spec.signerName).toBe("kubernetes.io/kubelet-serving");
    expect(csr.spec.username).toBe(`system:node:${bootstrapped.name}`);
    expect(csr.spec.usages).toEqual(["digital signature", "server auth"]);
    // A barrier instead of a wait: the controller-manager's CSR approver approves a client CSR
    // filed after this one, so it has had its turn at the serving CSR, which it must leave alone.
    await bootstrapNode(cluster, "serving-csr-barrier");
    const row = (await kubectl("get", "csr", csrName)).split("\n")[1];
    expect(row).toMatch(
      new RegExp(`kubernetes\\.io/kubelet-serving\\s+system:node:${bootstrapped.name}\\s+.*Pending$`),
    );
    // Like the real kubelet it serves no certificate while the CSR is unanswered; it ends the
    // handshake with handshake_failure where the real one (Go's TLS) sends internal_error.
    expect((await handshake(bootstrapped.ip, { ...kubeletClient, rejectUnauthorized: false })).error).toMatch(
      /alert handshake failure/,
    );

    await kubectl("certificate", "approve", csrName);
    await bootstrapped.waitForServingCertificate();
    const served = await handshake(bootstrapped.ip, kubeletClient);
    expect(served.error).toBeUndefined();
    expect(served.authorized).toBe(true);
    expect(served.cert?.subjectAltName).toContain(`IP Address:${bootstrapped.ip}`);
    expect(served.cert?.subjectAltName).toContain(`DNS:${bootstrapped.name}`);
    expect(served.cert?.issuer).toBe("CN=kubernetes");
    const byName = await handshake(bootstrapped.ip, { ...kubeletClient, servername: bootstrapped.name });
    expect(byName.authorized).toBe(true);
    expect((await kubectl("get", "csr", csrName)).split("\n")[1]).toMatch(/Approved,Issued$/);
  });

  it("switches a running legacy node to serverTLSBootstrap, and picks up a rotation without a restart", async () => {
    legacy.enableServerTlsBootstrap();
    const first = await eventually(async () => {
      const name = legacy.pendingServingCsr();
      if (!name) throw new Error("no serving CSR yet");
      return name;
    });
    const pending = await kubectl(
      "get",
      "csr",
      "--field-selector",
      "spec.signerName=kubernetes.io/kubelet-serving",
    );
    expect(pending).toMatch(new RegExp(`${first}\\s+.*system:node:${legacy.name}\\s+.*Pending`));
    await kubectl("certificate", "approve", first);
    await legacy.waitForServingCertificate();
    const before = await handshake(legacy.ip, kubeletClient);
    expect(before.authorized).toBe(true);
    expect(before.cert?.subjectAltName).toContain(`IP Address:${legacy.ip}`);

    legacy.rotateServingCertificate();
    const second = await eventually(async () => {
      const name = legacy.pendingServingCsr();
      if (!name || name === first) throw new Error("no new serving CSR yet");
      return name;
    });
    await kubectl("certificate", "approve", second);
    const after = await eventually(async () => {
      const result = await handshake(legacy.ip, kubeletClient);
      if (result.cert?.serialNumber === before.cert?.serialNumber)
        throw new Error("still the old certificate");
      return result;
    });
    expect(after.authorized).toBe(true);
    expect(legacy.servingCsrNames()).toEqual([first, second]);
  });

  it("publishes the control-plane mirror pods with the true command lines", async () => {
    const components = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;
    const table = await eventually(async () => {
      const out = await kubectl("get", "pods", "-n", "kube-system");
      for (const c of components)
        if (!new RegExp(`^${c}-${controlPlane.name}\\s+1/1\\s+Running\\s`, "m").test(out))
          throw new Error(out);
      return out;
    });
    expect(table).toContain(`kube-apiserver-${controlPlane.name}`);
    for (const component of components) {
      const pod = await kubectlJson<ApiPod>(
        "get",
        "pod",
        "-n",
        "kube-system",
        `${component}-${controlPlane.name}`,
      );
      const proc = cluster.processes[component];
      if (!proc?.child.pid) throw new Error(`${component} is not running`);
      const cmdline = readFileSync(`/proc/${proc.child.pid}/cmdline`, "utf8").split("\0").slice(0, -1);
      const command = pod.spec.containers[0]?.command ?? [];
      expect(command).toEqual([component, ...proc.command.slice(1)]);
      expect(command.slice(1)).toEqual(cmdline.slice(1));
      expect(path.basename(cmdline[0] as string)).toBe(component);
      expect(pod.metadata.labels).toEqual({ component, tier: "control-plane" });
      expect(pod.metadata.annotations["kubernetes.io/config.source"]).toBe("file");
      expect(pod.metadata.annotations["kubernetes.io/config.mirror"]).toBe(
        pod.metadata.annotations["kubernetes.io/config.hash"],
      );
      expect(pod.metadata.ownerReferences).toEqual([
        { apiVersion: "v1", kind: "Node", name: controlPlane.name, uid: controlPlane.uid, controller: true },
      ]);
      expect(pod.spec).toMatchObject({
        nodeName: controlPlane.name,
        hostNetwork: true,
        priorityClassName: "system-node-critical",
        priority: 2000001000,
      });
      expect(pod.status).toMatchObject({ phase: "Running", podIP: controlPlane.ip, hostIP: controlPlane.ip });
      expect(pod.status.conditions).toContainEqual(
        expect.objectContaining({ type: "Ready", status: "True" }),
      );
    }
    const etcd = await kubectlJson<ApiPod>("get", "pod", "-n", "kube-system", `etcd-${controlPlane.name}`);
    const mounts = Object.fromEntries(etcd.spec.volumes.map((v) => [v.name, v.hostPath.path]));
    expect(mounts).toEqual({
      "etcd-certs": path.join(cluster.pki.pkiDir, "etcd"),
      "etcd-data": path.join(cluster.root, "etcd"),
    });
  });

  it("recreates a deleted mirror pod", async () => {
    const name = `kube-scheduler-${controlPlane.name}`;
    const before = await kubectlJson<ApiPod>("get", "pod", "-n", "kube-system", name);
    await kubectl("delete", "pod", "-n", "kube-system", name, "--wait=true");
    await eventually(async () => {
      const after = await kubectlJson<ApiPod>("get", "pod", "-n", "kube-system", name);
      expect(after.metadata.uid).not.toBe(before.metadata.uid);
      expect(after.status.phase).toBe("Running");
    });
  });

  it("runs a Deployment's pods on the workers, Ready with pod IPs, and the EndpointSlice lists them", async () => {
    await kubectl("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=8080");
    await kubectl("expose", "deployment", "web", "--port=80", "--target-port=8080");
    await kubectl("rollout", "status", "deployment/web", "--timeout=120s");
    const list = await kubectlJson<List<ApiPod>>("get", "pods", "-l", "app=web");
    expect(list.items).toHaveLength(3);
    const ips: string[] = list.items.map((pod) => pod.status.podIP ?? "");
    for (const pod of list.items) {
      expect([legacy.name, bootstrapped.name]).toContain(pod.spec.nodeName);
      expect(pod.status.phase).toBe("Running");
      expect(pod.status.conditions).toContainEqual(
        expect.objectContaining({ type: "Ready", status: "True" }),
      );
      expect(pod.status.podIP).toMatch(new RegExp(`^10\\.244\\.${cluster.block}\\.\\d+$`));
      expect(pod.status.containerStatuses[0]).toMatchObject({
        ready: true,
        image: "docker.io/library/nginx:1.27",
      });
    }
    expect(new Set(ips).size).toBe(3);
    const answers = await Promise.all(ips.map((ip) => plainGet(`http://${ip}:8080/`)));
    expect(answers).toEqual([200, 200, 200]);

    const slices = await eventually(async () => {
      const result = await kubectlJson<List<EndpointSlice>>(
        "get",
        "endpointslices",
        "-l",
        "kubernetes.io/service-name=web",
      );
      const addresses = result.items.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses));
      if (addresses.length !== 3) throw new Error(`EndpointSlice has ${addresses.length} addresses`);
      return result;
    });
    const endpoints = slices.items.flatMap((s) => s.endpoints ?? []);
    expect(endpoints.map((e) => e.addresses[0]).sort()).toEqual([...ips].sort());
    expect(endpoints.every((e) => e.conditions.ready === true)).toBe(true);

    await kubectl("scale", "deployment", "web", "--replicas=1");
    await eventually(async () => {
      const remaining = await kubectlJson<List<ApiPod>>("get", "pods", "-l", "app=web");
      if (remaining.items.length !== 1) throw new Error(`${remaining.items.length} pods left`);
    });
  });

  it("plays not-ready, crashloop and sandbox-failure pods with the kubelet's events", async () => {
    const manifest = (name: string, behaviour: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, labels: { app: "odd" }, annotations: { [BEHAVIOUR_ANNOTATION]: behaviour } },
      spec: {
        nodeName: bootstrapped.name,
        containers: [
          {
            name: "app",
            image: "registry.example/app:1",
            ports: [{ containerPort: 9090 }],
            readinessProbe: { httpGet: { path: "/ready", port: 9090 } },
          },
        ],
      },
    });
    const items = [
      manifest("unready", "not-ready"),
      manifest("crashing", "crashloop"),
      manifest("no-sandbox", "sandbox-failure"),
    ];
    const applied = await cluster.kubectl(["apply", "-f", "-"], {
      input: JSON.stringify({ apiVersion: "v1", kind: "List", items }),
    });
    expect(applied.code).toBe(0);

    const table = await eventually(async () => {
      const out = await kubectl("get", "pods", "-l", "app=odd");
      const expected = [
        /^unready\s+0\/1\s+Running\s+0/m,
        /^crashing\s+0\/1\s+CrashLoopBackOff\s+5/m,
        /^no-sandbox\s+0\/1\s+ContainerCreating\s+0/m,
      ];
      for (const line of expected) if (!line.test(out)) throw new Error(out);
      return out;
    });
    expect(table).toContain("unready");

    const reasons = await eventually(async () => {
      const events = await kubectlJson<List<ApiEvent>>("get", "events", "--field-selector", "type=Warning");
      const found = new Map<string, string>(
        events.items.map((e) => [`${e.involvedObject.name}/${e.reason}`, e.message]),
      );
      for (const key of ["unready/Unhealthy", "crashing/BackOff", "no-sandbox/FailedCreatePodSandBox"])
        if (!found.has(key)) throw new Error(`no event ${key}`);
      return found;
    });
    expect(reasons.get("unready/Unhealthy")).toBe(
      "Readiness probe failed: HTTP probe failed with statuscode: 503",
    );
    expect(reasons.get("no-sandbox/FailedCreatePodSandBox")).toMatch(
      /failed to setup network for sandbox "[0-9a-f]{64}": plugin type="calico" failed \(add\): error getting ClusterInformation: connection is unauthorized/,
    );
    const unready = await kubectlJson<ApiPod>("get", "pod", "unready");
    expect(await plainGet(`http://${unready.status.podIP}:9090/ready`)).toBe(503);
    const noSandbox = await kubectlJson<ApiPod>("get", "pod", "no-sandbox");
    expect(noSandbox.status.podIP).toBeUndefined();

    await kubectl("delete", "pods", "-l", "app=odd", "--wait=true", "--timeout=60s");
    expect(await kubectl("get", "pods", "-l", "app=odd", "-o", "name")).toBe("");
  });

  it("serves /pods on the kubelet endpoint", async () => {
    const result = await httpsGet(`https://${controlPlane.ip}:10250/pods`, {
      ...kubeletClient,
      rejectUnauthorized: false,
    });
    expect(result.status).toBe(200);
    const names = (JSON.parse(result.body) as List<ApiPod>).items.map((p) => p.metadata.name);
    expect(names).toContain(`etcd-${controlPlane.name}`);
  });

  it("reports no background errors", () => {
    for (const node of allNodes()) expect(node.errors).toEqual([]);
  });
});

interface Handshake {
  authorized?: boolean;
  error?: string;
  httpError?: string;
  cert?: X509Certificate;
  peer?: tls.PeerCertificate;
}

function handshake(
  ip: string,
  options: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean; servername?: string },
): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: ip, port: 10250, ...options }, () => {
      const result: Handshake = {
        authorized: socket.authorized,
        cert: socket.getPeerX509Certificate(),
        peer: socket.getPeerCertificate(),
      };
      // TLS 1.3 reports a rejected client certificate only on the first read.
      socket.once("data", () => {
        socket.end();
        resolve(result);
      });
      socket.once("error", (err) => resolve({ ...result, httpError: err.message }));
      socket.once("close", () => resolve({ ...result, httpError: "closed before answering" }));
      socket.write("GET /healthz HTTP/1.1\r\nHost: kubelet\r\nConnection: close\r\n\r\n");
    });
    socket.once("error", (err) => resolve({ error: err.message }));
  });
}

function httpsGet(
  url: string,
  options: { ca: string; cert: string; key: string; rejectUnauthorized?: boolean },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, options, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

function plainGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on("error", reject);
  });
}

// The parts of API objects these tests read.
interface List<T> {
  items: T[];
}
interface Meta {
  name: string;
  uid: string;
  labels?: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences?: unknown[];
}
interface ApiNode {
  metadata: Meta;
  spec: { taints?: unknown[] };
  status: { daemonEndpoints: { kubeletEndpoint: { Port: number } }; addresses: unknown[] };
}
interface ApiCsr {
  spec: { signerName: string; username: string; usages: string[] };
}
interface ApiPod {
  metadata: Meta;
  spec: {
    nodeName: string;
    containers: { command: string[] }[];
    volumes: { name: string; hostPath: { path: string } }[];
  };
  status: {
    phase: string;
    podIP?: string;
    hostIP?: string;
    conditions: { type: string; status: string }[];
    containerStatuses: { ready: boolean; image: string }[];
  };
}
interface EndpointSlice {
  endpoints?: { addresses: string[]; conditions: { ready?: boolean } }[];
}
interface ApiEvent {
  involvedObject: { name: string };
  reason: string;
  message: string;
}
