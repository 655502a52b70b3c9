import { readFileSync } from "node:fs";
import os from "node:os";
import { fileIdentity } from "@kubemend/lib/fs/identity";
import { addressInCidr } from "@kubemend/lib/net/ip";
import {
  componentLabel,
  type DiscoverOptions,
  discoverNode,
  type NodeComponent,
} from "@kubemend/lib/node/discover";
import { type FileUse, usedFiles } from "@kubemend/lib/node/files";
import { listFlag } from "@kubemend/lib/node/flags";
import type { CertificateInfo } from "@kubemend/lib/x509/certificate";
import type { CertBundle, CertUse, FoundCert, NodeFacts, UsedCert } from "../model.js";
import { certsFromBundle, keyMatchesChain } from "./bundle.js";
import type { Source } from "./context.js";

const hostOfUrl = (url: string): string | undefined => {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return undefined;
  }
};

/** One file read once, however many settings name it. */
interface ReadFile {
  location: string;
  hostPath: string;
  found: FoundCert[];
  chain: CertificateInfo[];
  uses: CertUse[];
  keyHostPath?: string;
}

/**
 * The certificates the Kubernetes processes on this node use, found from what runs (their flags,
 * environment, systemd units and kubeconfigs), each with its role from the setting that names it.
 * Private keys are read only to check that they match, never kept.
 */
export const nodeSource: Source = async (ctx) => {
  let apiServer: DiscoverOptions["apiServer"];
  try {
    const url = new URL(ctx.config().server);
    apiServer = { host: url.hostname, port: Number(url.port || 443) };
  } catch {
    // no kubeconfig: every component on the node, when they are one cluster's
  }
  const discovery = await discoverNode({ ...(apiServer && { apiServer }), procRoot: ctx.options.procRoot });
  const warnings = discovery.warnings.map((message) => ({
    source: "node" as const,
    message,
    hint: "run as root on the node, or pass --pki-dir",
  }));
  if (discovery.components.length === 0) {
    if (!ctx.explicit && warnings.length === 0) return { skipped: true };
    return {
      warnings: [
        ...warnings,
        ...(warnings.length === 0
          ? [
              {
                source: "node" as const,
                message: "no Kubernetes component of this cluster runs on this node",
              },
            ]
          : []),
      ],
    };
  }
  const denied = new Set<string>();
  const files = readUsedFiles(usedFiles(discovery.components), denied);
  if (denied.size > 0)
    warnings.push({
      source: "node" as const,
      message: `could not read ${denied.size} file${denied.size === 1 ? "" : "s"} the node's components use (permission denied), such as ${[...denied][0]}: their certificates were not checked`,
      hint: "run as root on the node (sudo kubectl certs expiry)",
    });
  const kubeconfigs = readKubeconfigs(discovery.components, files);
  const all = [...files.values(), ...kubeconfigs];
  const units = new Map(discovery.components.map((c) => [c.pid, c.unit?.name]));
  for (const f of all)
    for (const u of f.uses) {
      const unit = units.get(u.pid);
      if (unit) u.unit = unit;
    }
  const certs: FoundCert[] = [];
  const bundles: CertBundle[] = [];
  for (const f of all) {
    for (const c of f.found) c.uses = f.uses;
    certs.push(...f.found);
    const isCa = f.uses.every((u) => u.role === "ca" || u.role === "signer");
    if (f.chain.length === 0 || isCa) continue;
    let keyPem: string | undefined;
    try {
      keyPem = f.keyHostPath ? readFileSync(f.keyHostPath, "utf8") : undefined;
    } catch {
      keyPem = undefined;
    }
    bundles.push({
      source: "node",
      holder: { file: f.location },
      location: f.location,
      chain: f.chain,
      ...(keyPem !== undefined && { keyMatches: keyMatchesChain(keyPem, f.chain) }),
    });
  }
  return {
    certs,
    bundles,
    nodeFacts: [nodeFacts(discovery.components, files, kubeconfigs)],
    nodeHostPaths: all.map((f) => ({ location: f.location, hostPath: f.hostPath })),
    warnings,
  };
};

/** One process, or one static pod that is not running (no pid; one per component on a node). */
const sameComponent = (a: { component: string; pid?: number }, b: { component: string; pid?: number }) =>
  a.component === b.component && a.pid === b.pid;

/** Reads each certificate or CA file once; files of the same path on two mount namespaces stay apart. */
function readUsedFiles(uses: FileUse[], denied: Set<string>): Map<string, ReadFile> {
  const byFile = new Map<string, ReadFile>();
  const paths = new Map<string, Set<string>>();
  for (const u of uses) {
    if (u.role === "sa-public" || u.role === "sa-private") continue;
    const id = fileIdentity(u.hostPath) ?? u.hostPath;
    let f = byFile.get(id);
    if (!f) {
      const role = u.role === "ca" || u.role === "signer" ? "trust" : "leaf";
      const origin = { source: "node" as const, location: u.path, holder: { file: u.path }, role } as const;
      let found: FoundCert[];
      try {
        found = certsFromBundle(readFileSync(u.hostPath), origin);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Not root: every file of a root process is out of reach. One warning says so, below.
        if (code === "EACCES" || code === "EPERM") {
          denied.add(u.path);
          continue;
        }
        found = [{ ...origin, problem: `cannot read (${code})` }];
      }
      f = {
        location: u.path,
        hostPath: u.hostPath,
        found,
        chain: found.flatMap((c) => c.cert ?? []),
        uses: [],
      };
      byFile.set(id, f);
      paths.set(u.path, (paths.get(u.path) ?? new Set()).add(id));
    }
    f.uses.push({
      component: u.component,
      pid: u.pid,
      setting: u.setting,
      role: u.role,
      ...(u.peer && { peer: u.peer }),
    });
    if (u.key && !f.keyHostPath) f.keyHostPath = u.key.hostPath;
  }
  // One path, several files (etcd members of one cluster on one machine): say whose each is.
  for (const f of byFile.values()) {
    if ((paths.get(f.location)?.size ?? 0) < 2) continue;
    const first = f.uses[0] as CertUse;
    const location = `${f.location} (${first.component} ${first.pid === undefined ? "not running" : `pid ${first.pid}`})`;
    f.location = location;
    for (const c of f.found) c.location = c.location.replace(/^[^#]*?(?=#\d+$|\s\(block \d+\)$|$)/, location);
  }
  return byFile;
}

/**
 * Client certificates in the components' kubeconfigs, presented to the API server. A certificate
 * file read already (the kubelet's kubelet-client-current.pem) gets the kubeconfig as one more use.
 */
function readKubeconfigs(components: readonly NodeComponent[], files: Map<string, ReadFile>): ReadFile[] {
  const out: ReadFile[] = [];
  for (const c of components)
    for (const k of c.kubeconfigs) {
      const certPem = k.kubeconfig.certPem;
      if (!certPem) continue;
      const use: CertUse = {
        component: c.component,
        pid: c.pid,
        setting: k.flag,
        role: "client",
        peer: "kube-apiserver",
      };
      const certFile = k.kubeconfig.certFile && c.view(k.kubeconfig.certFile);
      const known = certFile ? files.get(fileIdentity(certFile) ?? certFile) : undefined;
      if (known) {
        if (!known.uses.some((u) => sameComponent(u, use) && u.setting === use.setting)) known.uses.push(use);
        continue;
      }
      const location = k.kubeconfig.certFile ?? k.file;
      const origin = { source: "node" as const, location, holder: { file: location }, role: "leaf" } as const;
      const found = certsFromBundle(certPem, origin);
      out.push({
        location,
        hostPath: c.view(location),
        found,
        chain: found.flatMap((f) => f.cert ?? []),
        uses: [use],
        ...(k.kubeconfig.certFile && { keyHostPath: c.view(k.kubeconfig.certFile) }),
      });
    }
  return out;
}

function nodeFacts(
  components: readonly NodeComponent[],
  files: Map<string, ReadFile>,
  kubeconfigs: ReadFile[],
): NodeFacts {
  /** The file a component uses the way `match` says. */
  const find = (c: NodeComponent, match: (u: CertUse) => boolean): UsedCert | undefined => {
    for (const f of files.values()) {
      const use = f.uses.find((u) => sameComponent(u, c) && match(u));
      if (use) return { location: f.location, use, chain: f.chain };
    }
    return undefined;
  };
  const asTrust = (u: UsedCert | undefined) => u && { location: u.location, use: u.use, cas: u.chain };
  const of = (c: NodeComponent, role: CertUse["role"], setting: string) =>
    find(c, (u) => u.role === role && u.setting === c.origin(setting));
  const cas = (c: NodeComponent, setting: string) => asTrust(find(c, (u) => u.setting === c.origin(setting)));
  const facts: NodeFacts = {
    node: os.hostname(),
    components: components.map(componentLabel),
    serving: [],
    presented: [],
    trust: [],
    dialed: [],
  };
  const dialed = new Set<string>();
  const apiServers = components.filter((c) => c.component === "kube-apiserver");
  const etcds = components.filter((c) => c.component === "etcd");
  const kubeconfigHosts = components.flatMap((c) =>
    c.kubeconfigs.flatMap((k) => {
      const host = k.kubeconfig.server && hostOfUrl(k.kubeconfig.server);
      return host ? [{ address: host, from: `${c.component} ${k.flag}` }] : [];
    }),
  );
  for (const k of kubeconfigHosts) dialed.add(k.address);
  for (const api of apiServers) {
    const reached: { address: string; from: string }[] = [];
    const advertise = api.settings.get("advertise-address");
    if (advertise) reached.push({ address: advertise, from: "--advertise-address" });
    const range = listFlag(api.settings.get("service-cluster-ip-range"))[0];
    if (range) {
      try {
        reached.push({ address: addressInCidr(range, 1), from: "--service-cluster-ip-range" });
      } catch {
        // not a CIDR: the API server itself refuses to start with it
      }
    }
    reached.push(...kubeconfigHosts);
    const serving = of(api, "serving", "tls-cert-file");
    if (serving) facts.serving.push({ ...serving, reachedAt: dedupe(reached) });
    for (const url of listFlag(api.settings.get("etcd-servers"))) {
      const host = hostOfUrl(url);
      if (host) dialed.add(host);
    }
    // What the API server presents to etcd, and what it trusts etcd's certificate with.
    const etcdClient = of(api, "client", "etcd-certfile");
    const etcdCa = cas(api, "etcd-cafile");
    for (const etcd of etcds) {
      const trusted = cas(etcd, "trusted-ca-file");
      if (etcdClient && trusted && etcd.settings.get("client-cert-auth") === "true")
        facts.trust.push({ presented: etcdClient, trustedBy: trusted });
      const etcdServing = of(etcd, "serving", "cert-file");
      if (etcdServing && etcdCa) facts.trust.push({ presented: etcdServing, trustedBy: etcdCa });
    }
    // The components' kubeconfigs: their users against --client-ca-file, the API server's
    // certificate against their CA.
    const clientCa = cas(api, "client-ca-file");
    for (const k of kubeconfigs)
      if (clientCa) facts.trust.push({ presented: usedOf(k), trustedBy: clientCa });
    if (serving)
      for (const c of components)
        for (const k of c.kubeconfigs)
          if (k.kubeconfig.caPem) {
            const ca = certsFromBundle(k.kubeconfig.caPem, {
              source: "node",
              location: k.file,
              holder: { file: k.file },
              role: "trust",
            }).flatMap((f) => f.cert ?? []);
            facts.trust.push({
              presented: serving,
              trustedBy: {
                location: k.file,
                use: {
                  component: c.component,
                  pid: c.pid,
                  setting: k.flag,
                  role: "ca",
                  peer: "kube-apiserver",
                },
                cas: ca,
              },
            });
          }
    const kubeletClient = of(api, "client", "kubelet-client-certificate");
    for (const kubelet of components.filter((c) => c.component === "kubelet")) {
      // The kubelet's client CA may come from its --config (authentication.x509.clientCAFile).
      const trusted =
        cas(kubelet, "client-ca-file") ??
        asTrust(find(kubelet, (u) => u.role === "ca" && u.peer === "clients"));
      if (kubeletClient && trusted) facts.trust.push({ presented: kubeletClient, trustedBy: trusted });
    }
    const proxyClient = of(api, "client", "proxy-client-cert-file");
    const requestHeaderCa = cas(api, "requestheader-client-ca-file");
    if (proxyClient && requestHeaderCa)
      facts.trust.push({ presented: proxyClient, trustedBy: requestHeaderCa });
  }
  for (const etcd of etcds) {
    const clientUrls = listFlag(etcd.settings.get("advertise-client-urls"));
    const peerUrls = listFlag(etcd.settings.get("initial-advertise-peer-urls"));
    const hosts = (urls: string[], setting: string) =>
      urls.flatMap((u) => {
        const host = hostOfUrl(u);
        return host ? [{ address: host, from: etcd.origin(setting) }] : [];
      });
    const serving = of(etcd, "serving", "cert-file");
    if (serving)
      facts.serving.push({ ...serving, reachedAt: dedupe(hosts(clientUrls, "advertise-client-urls")) });
    const peer = of(etcd, "peer", "peer-cert-file");
    if (peer)
      facts.serving.push({ ...peer, reachedAt: dedupe(hosts(peerUrls, "initial-advertise-peer-urls")) });
    for (const u of [...clientUrls, ...peerUrls]) {
      const host = hostOfUrl(u);
      if (host) dialed.add(host);
    }
    // Its peer certificate against the other members' peer CA.
    if (peer && etcd.settings.get("peer-client-cert-auth") === "true")
      for (const other of etcds) {
        const trusted = other === etcd ? undefined : cas(other, "peer-trusted-ca-file");
        if (trusted) facts.trust.push({ presented: peer, trustedBy: trusted });
      }
  }
  for (const f of [...files.values(), ...kubeconfigs])
    for (const use of f.uses)
      if (use.role === "serving" || use.role === "client" || use.role === "peer")
        facts.presented.push({ location: f.location, use, chain: f.chain });
  facts.dialed = [...dialed];
  return facts;
}

function usedOf(f: ReadFile): UsedCert {
  return { location: f.location, use: f.uses[0] as CertUse, chain: f.chain };
}

function dedupe(list: { address: string; from: string }[]): { address: string; from: string }[] {
  const seen = new Map<string, { address: string; from: string }>();
  for (const e of list) {
    const known = seen.get(e.address);
    if (known) {
      if (!known.from.split(", ").includes(e.from)) known.from = `${known.from}, ${e.from}`;
    } else seen.set(e.address, { ...e });
  }
  return [...seen.values()];
}
