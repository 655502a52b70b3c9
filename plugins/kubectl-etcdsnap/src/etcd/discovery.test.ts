import { describe, expect, it } from "vitest";
import { etcdFlags, flagsSuffice, resolveConnection } from "./discovery.js";
import { parseApiserverPod, parseEtcdPod } from "./pods.js";

// The shape kubeadm writes (and the node stand-in publishes), trimmed to the flags that matter.
const etcdPod = {
  metadata: {
    name: "etcd-cp-1",
    annotations: { "kubeadm.kubernetes.io/etcd.advertise-client-urls": "https://10.0.0.1:2379" },
  },
  spec: {
    nodeName: "cp-1",
    containers: [
      {
        name: "etcd",
        command: [
          "etcd",
          "--advertise-client-urls=https://10.0.0.1:2379",
          "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
          "--data-dir=/var/lib/etcd",
          "--initial-advertise-peer-urls=https://10.0.0.1:2380",
          "--initial-cluster=cp-1=https://10.0.0.1:2380",
          "--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.1:2379",
          "--name=cp-1",
          "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        ],
      },
    ],
  },
};

const apiserverPod = {
  metadata: { name: "kube-apiserver-cp-1" },
  spec: {
    nodeName: "cp-1",
    containers: [
      {
        name: "kube-apiserver",
        command: [
          "kube-apiserver",
          "--etcd-cafile",
          "/pki/etcd-ca.crt",
          "--etcd-certfile=/pki/api-etcd.crt",
          "--etcd-keyfile=/pki/api-etcd.key",
          "--etcd-servers=https://10.9.9.9:2379",
        ],
      },
    ],
  },
};

describe("etcd discovery", () => {
  const member = parseEtcdPod(etcdPod);
  const apiserver = parseApiserverPod(apiserverPod);

  it("reads a member from the etcd mirror pod's command line", () => {
    expect(member).toEqual({
      pod: "etcd-cp-1",
      node: "cp-1",
      name: "cp-1",
      clientUrls: ["https://10.0.0.1:2379"],
      peerUrls: ["https://10.0.0.1:2380"],
      dataDir: "/var/lib/etcd",
      initialCluster: "cp-1=https://10.0.0.1:2380",
      initialClusterToken: undefined,
      trustedCaFile: "/etc/kubernetes/pki/etcd/ca.crt",
      certFile: "/etc/kubernetes/pki/etcd/server.crt",
    });
    expect(apiserver).toMatchObject({
      servers: ["https://10.9.9.9:2379"],
      caFile: "/pki/etcd-ca.crt",
      certFile: "/pki/api-etcd.crt",
    });
  });

  it("uses the pods' URLs and CA, and kubeadm's healthcheck-client beside the server certificate", () => {
    const c = resolveConnection({}, [member], [apiserver], () => true);
    expect(c.endpoints).toEqual(["https://10.0.0.1:2379"]);
    expect(c.endpointsFrom).toBe("etcd mirror pods etcd-cp-1");
    expect(c.ca).toEqual({
      path: "/etc/kubernetes/pki/etcd/ca.crt",
      from: "--trusted-ca-file of etcd-cp-1",
      node: "cp-1",
    });
    expect(c.cert?.path).toBe("/etc/kubernetes/pki/etcd/healthcheck-client.crt");
    expect(c.key?.path).toBe("/etc/kubernetes/pki/etcd/healthcheck-client.key");
  });

  it("falls back to apiserver-etcd-client, then the API server's --etcd-* files, by what is readable", () => {
    const noHealthcheck = (f: string) => !f.includes("healthcheck-client");
    expect(resolveConnection({}, [member], [apiserver], noHealthcheck).cert?.path).toBe(
      "/etc/kubernetes/pki/apiserver-etcd-client.crt",
    );
    const onlyApiserver = (f: string) => f.startsWith("/pki/");
    expect(resolveConnection({}, [member], [apiserver], onlyApiserver).key).toEqual({
      path: "/pki/api-etcd.key",
      from: "--etcd-keyfile of kube-apiserver-cp-1",
      node: "cp-1",
    });
    // Nothing readable: the first candidate, so the error names the kubeadm file.
    expect(resolveConnection({}, [member], [apiserver], () => false).cert?.path).toBe(
      "/etc/kubernetes/pki/etcd/healthcheck-client.crt",
    );
  });

  it("external etcd: the API server's --etcd-servers and --etcd-cafile", () => {
    const c = resolveConnection({}, [], [apiserver], () => true);
    expect(c.endpoints).toEqual(["https://10.9.9.9:2379"]);
    expect(c.ca?.path).toBe("/pki/etcd-ca.crt");
    expect(() => resolveConnection({}, [], [], () => true)).toThrow("found no etcd");
  });

  it("etcdctl's flags override ETCDCTL_* variables, which override discovery", () => {
    const env = {
      ETCDCTL_ENDPOINTS: "10.1.1.1:2379,10.1.1.2:2379",
      ETCDCTL_CACERT: "/env/ca.crt",
      ETCDCTL_KEY: "/env/k.key",
    };
    const flags = etcdFlags({ cacert: "/flag/ca.crt", cert: "/flag/c.crt" }, env);
    expect(flags).toMatchObject({
      endpoints: ["10.1.1.1:2379", "10.1.1.2:2379"],
      cacert: "/flag/ca.crt",
      cert: "/flag/c.crt",
      key: "/env/k.key",
    });
    const c = resolveConnection(flags, [member], [apiserver], () => true);
    expect(c.endpoints).toEqual(["https://10.1.1.1:2379", "https://10.1.1.2:2379"]);
    expect(c.endpointsFrom).toBe("ETCDCTL_ENDPOINTS");
    expect(c.ca).toEqual({ path: "/flag/ca.crt", from: "--cacert" });
    expect(c.key).toEqual({ path: "/env/k.key", from: "ETCDCTL_KEY" });
    expect(flagsSuffice(flags)).toBe(true);
    expect(flagsSuffice(etcdFlags({ endpoints: "https://10.1.1.1:2379" }, {}))).toBe(false);
    expect(flagsSuffice(etcdFlags({ endpoints: "http://127.0.0.1:2379" }, {}))).toBe(true);
    expect(
      resolveConnection(etcdFlags({ endpoints: "127.0.0.1:2379" }, {}), [], [], () => true).endpoints,
    ).toEqual(["http://127.0.0.1:2379"]);
  });
});
