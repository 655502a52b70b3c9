import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BadInputError, UsageError } from "../cli/errors.js";
import type { KubeFlags } from "../cli/kube-flags.js";
import { loadKubeConfig } from "./kubeconfig.js";

/** KubeFlags with the defaults yargs fills in (see kube-flags.ts). */
function flags(overrides: Partial<KubeFlags> = {}): KubeFlags {
  return {
    allNamespaces: false,
    asGroup: [],
    insecureSkipTlsVerify: false,
    requestTimeout: "0",
    ...overrides,
  };
}

let tmp: string;
let home: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "kubemend-kubeconfig-"));
  home = path.join(tmp, "home");
  mkdirSync(home);
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function write(relative: string, text: string): string {
  const file = path.join(tmp, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** A kubeconfig with one cluster, user and context named after `name`. */
function single(name: string, options: { server?: string; namespace?: string; current?: string } = {}) {
  return `apiVersion: v1
kind: Config
current-context: ${options.current ?? name}
clusters:
- name: ${name}
  cluster:
    server: ${options.server ?? `https://${name}.example:6443`}
    certificate-authority-data: Q0EtJHtuYW1lfQ==
users:
- name: ${name}
  user:
    token: token-${name}
contexts:
- name: ${name}
  context:
    cluster: ${name}
    user: ${name}
${options.namespace ? `    namespace: ${options.namespace}\n` : ""}`;
}

function env(...files: string[]): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { HOME: home };
  if (files.length > 0) e.KUBECONFIG = files.join(path.delimiter);
  return e;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}

describe("loadKubeConfig: one file", () => {
  it("selects the current context, its cluster and user", () => {
    const file = write("a/config", single("alpha", { namespace: "team-a" }));
    const config = loadKubeConfig(flags(), { env: env(file) });
    expect(config).toEqual({
      files: [file],
      contextName: "alpha",
      clusterName: "alpha",
      userName: "alpha",
      namespace: "team-a",
      namespaceExplicit: true,
      server: "https://alpha.example:6443",
      cluster: { server: "https://alpha.example:6443", "certificate-authority-data": "Q0EtJHtuYW1lfQ==" },
      user: { token: "token-alpha" },
      impersonate: undefined,
      inCluster: false,
    });
  });

  it('defaults the namespace to "default", not explicit', () => {
    const file = write("a/config", single("alpha"));
    const config = loadKubeConfig(flags(), { env: env(file) });
    expect(config.namespace).toBe("default");
    expect(config.namespaceExplicit).toBe(false);
  });

  it("reads ~/.kube/config from HOME when KUBECONFIG is unset", () => {
    const file = write("home/.kube/config", single("homed"));
    const config = loadKubeConfig(flags(), { env: { HOME: home } });
    expect(config.files).toEqual([file]);
    expect(config.contextName).toBe("homed");
  });

  it("falls back to ~/.kube/config when KUBECONFIG is empty", () => {
    const file = write("home/.kube/config", single("homed"));
    const config = loadKubeConfig(flags(), { env: { HOME: home, KUBECONFIG: "" } });
    expect(config.files).toEqual([file]);
  });

  it.each(["", "\n", "# only a comment\n", "---\n"])("reads %j as an empty config, not bad YAML", (text) => {
    const file = write("a/config", text);
    const err = thrown(() => loadKubeConfig(flags(), { env: env(file) }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`no clusters or contexts in ${file}`);
  });

  it("skips an empty file among the KUBECONFIG files", () => {
    const empty = write("empty/config", "");
    const a = write("a/config", single("alpha"));
    const config = loadKubeConfig(flags(), { env: env(empty, a) });
    expect(config.files).toEqual([empty, a]);
    expect(config.contextName).toBe("alpha");
  });
});

describe("loadKubeConfig: several KUBECONFIG files (client-go rules)", () => {
  it("lets the FIRST file's current-context win", () => {
    const a = write("a/config", single("alpha"));
    const b = write("b/config", single("beta"));
    const config = loadKubeConfig(flags(), { env: env(a, b) });
    expect(config.contextName).toBe("alpha");
    expect(config.server).toBe("https://alpha.example:6443");
    expect(config.files).toEqual([a, b]);

    const reversed = loadKubeConfig(flags(), { env: env(b, a) });
    expect(reversed.contextName).toBe("beta");
    expect(reversed.files).toEqual([b, a]);
  });

  it("skips a first file whose current-context is empty", () => {
    const a = write("a/config", single("alpha", { current: '""' }));
    const b = write("b/config", single("beta"));
    expect(loadKubeConfig(flags(), { env: env(a, b) }).contextName).toBe("beta");
  });

  it("keeps the first file's entry when both define the same cluster, user and context", () => {
    const a = write(
      "a/config",
      `current-context: shared
clusters:
- name: shared
  cluster:
    server: https://first:6443
users:
- name: shared
  user:
    token: first-token
contexts:
- name: shared
  context:
    cluster: shared
    user: shared
    namespace: first-ns
`,
    );
    const b = write(
      "b/config",
      `current-context: shared
clusters:
- name: shared
  cluster:
    server: https://second:6443
    insecure-skip-tls-verify: true
users:
- name: shared
  user:
    token: second-token
    client-certificate: second.crt
contexts:
- name: shared
  context:
    cluster: shared
    user: shared
    namespace: second-ns
`,
    );
    const config = loadKubeConfig(flags(), { env: env(a, b) });
    expect(config.server).toBe("https://first:6443");
    // Entries are not merged field by field: the first one wins whole.
    expect(config.cluster).toEqual({ server: "https://first:6443" });
    expect(config.user).toEqual({ token: "first-token" });
    expect(config.namespace).toBe("first-ns");
  });

  it("still offers the names that only the second file has", () => {
    const a = write("a/config", single("alpha"));
    const b = write("b/config", single("beta", { namespace: "team-b" }));
    const config = loadKubeConfig(flags({ context: "beta" }), { env: env(a, b) });
    expect(config.contextName).toBe("beta");
    expect(config.clusterName).toBe("beta");
    expect(config.userName).toBe("beta");
    expect(config.server).toBe("https://beta.example:6443");
    expect(config.user).toEqual({ token: "token-beta" });
    expect(config.namespace).toBe("team-b");
  });

  it("mixes a context from one file with a cluster and user from another", () => {
    const a = write(
      "a/config",
      `current-context: mixed
contexts:
- name: mixed
  context:
    cluster: beta
    user: beta
`,
    );
    const b = write("b/config", single("beta"));
    const config = loadKubeConfig(flags(), { env: env(a, b) });
    expect(config.contextName).toBe("mixed");
    expect(config.server).toBe("https://beta.example:6443");
    expect(config.user).toEqual({ token: "token-beta" });
  });

  it("skips KUBECONFIG entries that do not exist, and duplicates", () => {
    const a = write("a/config", single("alpha"));
    const missing = path.join(tmp, "nope", "config");
    const config = loadKubeConfig(flags(), { env: env(missing, a, a) });
    expect(config.files).toEqual([a]);
    expect(config.contextName).toBe("alpha");
  });

  it("does not read ~/.kube/config when KUBECONFIG is set", () => {
    write("home/.kube/config", single("homed"));
    const a = write("a/config", single("alpha"));
    const config = loadKubeConfig(flags(), { env: env(a) });
    expect(config.files).toEqual([a]);
    expect(() => loadKubeConfig(flags({ context: "homed" }), { env: env(a) })).toThrow(UsageError);
  });

  it("fails with a UsageError when no KUBECONFIG file exists", () => {
    const missing = path.join(tmp, "missing");
    const err = thrown(() => loadKubeConfig(flags(), { env: env(missing), serviceAccountDir: tmp }));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect(err.message).toBe(`no kubeconfig found: no file in KUBECONFIG (${missing}) exists`);
  });

  it("fails with a UsageError when neither KUBECONFIG nor ~/.kube/config exists", () => {
    const err = thrown(() => loadKubeConfig(flags(), { env: env(), serviceAccountDir: tmp }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe("no kubeconfig found: KUBECONFIG is empty and ~/.kube/config does not exist");
    expect((err as UsageError).hint).toBe(
      "pass --kubeconfig, set KUBECONFIG, or run inside a pod with a service account",
    );
  });
});

describe("loadKubeConfig: --kubeconfig", () => {
  it("uses only that file, ignoring KUBECONFIG", () => {
    const a = write("a/config", single("alpha"));
    const b = write("b/config", single("beta"));
    const config = loadKubeConfig(flags({ kubeconfig: b }), { env: env(a) });
    expect(config.files).toEqual([b]);
    expect(config.contextName).toBe("beta");
    expect(() => loadKubeConfig(flags({ kubeconfig: b, context: "alpha" }), { env: env(a) })).toThrow(
      /context "alpha" does not exist/,
    );
  });

  it("fails with exit code 2 when the file is missing", () => {
    const a = write("a/config", single("alpha"));
    const missing = path.join(tmp, "missing.yaml");
    const err = thrown(() => loadKubeConfig(flags({ kubeconfig: missing }), { env: env(a) }));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect(err.message).toBe(`--kubeconfig ${missing}: no such file`);
  });
});

describe("loadKubeConfig: relative paths", () => {
  it("resolves certificate and key paths against the directory of the file that holds them", () => {
    const a = write(
      "a/sub/config",
      `current-context: a
clusters:
- name: a
  cluster:
    server: https://a:6443
    certificate-authority: pki/ca.crt
users:
- name: a
  user:
    client-certificate: ../certs/client.crt
    client-key: /abs/client.key
    tokenFile: token
contexts:
- name: a
  context: {cluster: a, user: a}
`,
    );
    const b = write(
      "b/config",
      `clusters:
- name: b
  cluster:
    server: https://b:6443
    certificate-authority: ca.crt
users:
- name: b
  user:
    client-certificate: b.crt
    client-key: ./keys/b.key
contexts:
- name: b
  context: {cluster: b, user: b}
`,
    );
    const first = loadKubeConfig(flags(), { env: env(a, b) });
    expect(first.cluster["certificate-authority"]).toBe(path.join(tmp, "a", "sub", "pki", "ca.crt"));
    expect(first.user).toEqual({
      "client-certificate": path.join(tmp, "a", "certs", "client.crt"),
      "client-key": "/abs/client.key",
      tokenFile: path.join(tmp, "a", "sub", "token"),
    });

    const second = loadKubeConfig(flags({ context: "b" }), { env: env(a, b) });
    expect(second.cluster["certificate-authority"]).toBe(path.join(tmp, "b", "ca.crt"));
    expect(second.user["client-certificate"]).toBe(path.join(tmp, "b", "b.crt"));
    expect(second.user["client-key"]).toBe(path.join(tmp, "b", "keys", "b.key"));
  });
});

describe("loadKubeConfig: selection flags", () => {
  const twoClusters = `current-context: main
clusters:
- name: main
  cluster: {server: "https://main:6443"}
- name: other
  cluster: {server: "https://other:6443"}
users:
- name: admin
  user: {token: admin-token}
- name: viewer
  user: {token: viewer-token}
contexts:
- name: main
  context: {cluster: main, user: admin, namespace: main-ns}
`;

  it("--cluster replaces the context's cluster and keeps its user", () => {
    const file = write("config", twoClusters);
    const config = loadKubeConfig(flags({ cluster: "other" }), { env: env(file) });
    expect(config.contextName).toBe("main");
    expect(config.clusterName).toBe("other");
    expect(config.server).toBe("https://other:6443");
    expect(config.userName).toBe("admin");
  });

  it("--user replaces the context's user", () => {
    const file = write("config", twoClusters);
    const config = loadKubeConfig(flags({ user: "viewer" }), { env: env(file) });
    expect(config.userName).toBe("viewer");
    expect(config.user).toEqual({ token: "viewer-token" });
    expect(config.clusterName).toBe("main");
  });

  it("-n replaces the context's namespace", () => {
    const file = write("config", twoClusters);
    const config = loadKubeConfig(flags({ namespace: "foo" }), { env: env(file) });
    expect(config.namespace).toBe("foo");
    expect(config.namespaceExplicit).toBe(true);
  });

  it.each([
    [{ context: "nope" }, /^context "nope" does not exist in /],
    [{ cluster: "nope" }, /^cluster "nope" does not exist in /],
    [{ user: "nope" }, /^user "nope" does not exist in /],
  ] as [Partial<KubeFlags>, RegExp][])(
    "%j that does not exist → one-line UsageError",
    (overrides, message) => {
      const file = write("config", twoClusters);
      const err = thrown(() => loadKubeConfig(flags(overrides), { env: env(file) }));
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect(err.message).toMatch(message);
      expect(err.message).toContain(file);
      expect(err.message).not.toContain("\n");
    },
  );

  it("fails when current-context names a missing context", () => {
    const file = write("config", twoClusters.replace("current-context: main", "current-context: gone"));
    const err = thrown(() => loadKubeConfig(flags(), { env: env(file) }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`current-context "gone" does not exist in ${file}`);
  });

  it("fails when no current-context is set", () => {
    const file = write("config", twoClusters.replace("current-context: main\n", ""));
    const err = thrown(() => loadKubeConfig(flags(), { env: env(file) }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`no current-context is set in ${file}`);
    expect((err as UsageError).hint).toBe("pass --context, or set one with kubectl config use-context");
  });

  it("works without a context when --server is given", () => {
    const file = write("config", twoClusters.replace("current-context: main\n", ""));
    const config = loadKubeConfig(flags({ server: "https://direct:6443", token: "t" }), { env: env(file) });
    expect(config.server).toBe("https://direct:6443");
    expect(config.contextName).toBe("");
    expect(config.user).toEqual({ token: "t" });
  });

  it("works with --server and no kubeconfig at all", () => {
    const config = loadKubeConfig(flags({ server: "https://direct:6443" }), { env: env() });
    expect(config.server).toBe("https://direct:6443");
    expect(config.files).toEqual([]);
    expect(config.inCluster).toBe(false);
  });

  it("fails when the cluster has no server", () => {
    const file = write(
      "config",
      twoClusters.replace('cluster: {server: "https://main:6443"}', "cluster: {}"),
    );
    const err = thrown(() => loadKubeConfig(flags(), { env: env(file) }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('cluster "main" has no server address');
  });
});

describe("loadKubeConfig: connection flags", () => {
  const withFiles = `current-context: c
clusters:
- name: c
  cluster:
    server: https://c:6443
    certificate-authority: ca.crt
    certificate-authority-data: Q0E=
users:
- name: u
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
    client-certificate: u.crt
    client-key: u.key
    tokenFile: token
contexts:
- name: c
  context: {cluster: c, user: u}
`;

  it("--server replaces the cluster's server", () => {
    const file = write("k/config", withFiles);
    const config = loadKubeConfig(flags({ server: "https://override:8443" }), { env: env(file) });
    expect(config.server).toBe("https://override:8443");
    expect(config.cluster.server).toBe("https://override:8443");
    expect(config.cluster["certificate-authority"]).toBe(path.join(tmp, "k", "ca.crt"));
  });

  it("--certificate-authority replaces the CA and drops certificate-authority-data", () => {
    const file = write("k/config", withFiles);
    const config = loadKubeConfig(flags({ certificateAuthority: "/etc/ca.pem" }), { env: env(file) });
    expect(config.cluster).toEqual({ server: "https://c:6443", "certificate-authority": "/etc/ca.pem" });
  });

  it("--insecure-skip-tls-verify drops both CA fields", () => {
    const file = write("k/config", withFiles);
    const config = loadKubeConfig(flags({ insecureSkipTlsVerify: true }), { env: env(file) });
    expect(config.cluster).toEqual({ server: "https://c:6443", "insecure-skip-tls-verify": true });
  });

  it("--tls-server-name sets tls-server-name", () => {
    const file = write("k/config", withFiles);
    const config = loadKubeConfig(flags({ tlsServerName: "kubernetes" }), { env: env(file) });
    expect(config.cluster["tls-server-name"]).toBe("kubernetes");
  });

  it("--token replaces the token file", () => {
    const file = write("k/config", withFiles);
    const config = loadKubeConfig(flags({ token: "secret" }), { env: env(file) });
    expect(config.user.token).toBe("secret");
    expect(config.user.tokenFile).toBeUndefined();
  });

  it("--client-certificate and --client-key replace the file and data fields", () => {
    const file = write("k/config", withFiles);
    const config = loadKubeConfig(flags({ clientCertificate: "/p/c.crt", clientKey: "/p/c.key" }), {
      env: env(file),
    });
    expect(config.user).toEqual({
      "client-certificate": "/p/c.crt",
      "client-key": "/p/c.key",
      tokenFile: path.join(tmp, "k", "token"),
    });
  });

  it("makes relative connection-flag paths absolute against the working directory", () => {
    const file = write("k/config", withFiles);
    const config = loadKubeConfig(
      flags({ certificateAuthority: "ca.pem", clientCertificate: "c.crt", clientKey: "c.key" }),
      { env: env(file) },
    );
    expect(config.cluster["certificate-authority"]).toBe(path.resolve("ca.pem"));
    expect(config.user["client-certificate"]).toBe(path.resolve("c.crt"));
    expect(config.user["client-key"]).toBe(path.resolve("c.key"));
  });

  it("--as and --as-group set impersonation", () => {
    const file = write("k/config", withFiles);
    const config = loadKubeConfig(flags({ as: "jane", asGroup: ["devs", "ops"], asUid: "42" }), {
      env: env(file),
    });
    expect(config.impersonate).toEqual({ user: "jane", groups: ["devs", "ops"], uid: "42" });
  });

  it("reads impersonation from the kubeconfig user; --as-group then needs no --as", () => {
    const file = write(
      "k/config",
      withFiles.replace(
        "    tokenFile: token\n",
        "    tokenFile: token\n    as: bob\n    as-groups: [a, b]\n",
      ),
    );
    expect(loadKubeConfig(flags(), { env: env(file) }).impersonate).toEqual({
      user: "bob",
      groups: ["a", "b"],
      uid: undefined,
    });
    expect(loadKubeConfig(flags({ asGroup: ["c"] }), { env: env(file) }).impersonate).toEqual({
      user: "bob",
      groups: ["c"],
      uid: undefined,
    });
  });

  it("--as-group without --as is a UsageError", () => {
    const file = write("k/config", withFiles);
    const err = thrown(() => loadKubeConfig(flags({ asGroup: ["devs"] }), { env: env(file) }));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect(err.message).toBe("--as-group and --as-uid need --as");
  });
});

describe("loadKubeConfig: bad files", () => {
  it("reports malformed YAML as a BadInputError naming the file", () => {
    const file = write("config", "clusters: [\n  - name: a\n    cluster: {server: x\n");
    const err = thrown(() => loadKubeConfig(flags(), { env: env(file) }));
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as BadInputError).exitCode).toBe(2);
    expect(err.message).toMatch(new RegExp(`^kubeconfig ${file} is not valid YAML: `));
    expect(err.message).not.toContain("\n");
  });

  it("rejects a document that is not a mapping", () => {
    const file = write("config", "- a\n- b\n");
    const err = thrown(() => loadKubeConfig(flags(), { env: env(file) }));
    expect(err).toBeInstanceOf(BadInputError);
    expect(err.message).toBe(`kubeconfig ${file} is not a mapping`);
  });

  it("rejects clusters that is not a list", () => {
    const file = write("config", "clusters: {a: 1}\n");
    const err = thrown(() => loadKubeConfig(flags(), { env: env(file) }));
    expect(err).toBeInstanceOf(BadInputError);
    expect(err.message).toBe(`kubeconfig ${file}: clusters is not a list`);
  });

  it("rejects an entry without a name", () => {
    const file = write("config", "users:\n- user: {token: x}\n");
    const err = thrown(() => loadKubeConfig(flags(), { env: env(file) }));
    expect(err).toBeInstanceOf(BadInputError);
    expect(err.message).toBe(`kubeconfig ${file}: a user has no name`);
  });

  it("rejects a file with several YAML documents", () => {
    const file = write("config", `${single("alpha")}---\n${single("beta")}`);
    const err = thrown(() => loadKubeConfig(flags(), { env: env(file) }));
    expect(err).toBeInstanceOf(BadInputError);
    expect(err.message).toBe(`kubeconfig ${file} holds more than one YAML document`);
  });

  it("reports a malformed second file too", () => {
    const a = write("a/config", single("alpha"));
    const b = write("b/config", "{{{");
    expect(() => loadKubeConfig(flags(), { env: env(a, b) })).toThrow(BadInputError);
  });
});

describe("loadKubeConfig: in-cluster", () => {
  function serviceAccount(options: { namespace?: string; token?: boolean } = {}): string {
    const dir = path.join(tmp, "sa");
    mkdirSync(dir, { recursive: true });
    if (options.token !== false) writeFileSync(path.join(dir, "token"), "sa-token\n");
    writeFileSync(path.join(dir, "ca.crt"), "CA");
    if (options.namespace) writeFileSync(path.join(dir, "namespace"), `${options.namespace}\n`);
    return dir;
  }

  const podEnv = (host: string) => ({
    HOME: home,
    KUBERNETES_SERVICE_HOST: host,
    KUBERNETES_SERVICE_PORT: "443",
  });

  it("uses the service account when no kubeconfig exists", () => {
    const dir = serviceAccount({ namespace: "kubemend" });
    const config = loadKubeConfig(flags(), { env: podEnv("10.96.0.1"), serviceAccountDir: dir });
    expect(config).toEqual({
      files: [],
      contextName: "in-cluster",
      clusterName: "in-cluster",
      userName: "in-cluster",
      namespace: "kubemend",
      namespaceExplicit: true,
      server: "https://10.96.0.1:443",
      cluster: { server: "https://10.96.0.1:443", "certificate-authority": path.join(dir, "ca.crt") },
      user: { tokenFile: path.join(dir, "token") },
      impersonate: undefined,
      inCluster: true,
    });
  });

  it("brackets an IPv6 service host", () => {
    const dir = serviceAccount();
    const config = loadKubeConfig(flags(), { env: podEnv("fd00:10:96::1"), serviceAccountDir: dir });
    expect(config.server).toBe("https://[fd00:10:96::1]:443");
    expect(config.namespace).toBe("default");
  });

  it("applies -n and --as to in-cluster config", () => {
    const dir = serviceAccount({ namespace: "kubemend" });
    const config = loadKubeConfig(flags({ namespace: "other", as: "bob" }), {
      env: podEnv("10.96.0.1"),
      serviceAccountDir: dir,
    });
    expect(config.namespace).toBe("other");
    expect(config.impersonate).toEqual({ user: "bob", groups: [], uid: undefined });
  });

  it("prefers a kubeconfig over the service account", () => {
    const dir = serviceAccount();
    const file = write("home/.kube/config", single("homed"));
    const config = loadKubeConfig(flags(), { env: podEnv("10.96.0.1"), serviceAccountDir: dir });
    expect(config.inCluster).toBe(false);
    expect(config.files).toEqual([file]);
  });

  it("is not used without a token file", () => {
    const dir = serviceAccount({ token: false });
    const err = thrown(() => loadKubeConfig(flags(), { env: podEnv("10.96.0.1"), serviceAccountDir: dir }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/^no kubeconfig found/);
  });

  it("is not used without KUBERNETES_SERVICE_PORT", () => {
    const dir = serviceAccount();
    expect(() =>
      loadKubeConfig(flags(), {
        env: { HOME: home, KUBERNETES_SERVICE_HOST: "10.96.0.1" },
        serviceAccountDir: dir,
      }),
    ).toThrow(UsageError);
  });
});
