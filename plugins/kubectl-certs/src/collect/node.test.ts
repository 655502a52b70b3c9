import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { issue } from "../testing.js";
import type { SourceContext } from "./context.js";
import { nodeSource } from "./node.js";

// Tests run as root, which no file mode stops: a read of a file named "denied" fails as it does
// for a user who may not look into a root process's /proc/<pid>/root.
vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  return {
    ...actual,
    readFileSync: ((file: unknown, ...rest: unknown[]) => {
      if (String(file).includes("denied"))
        throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
      return (actual.readFileSync as (...a: unknown[]) => unknown)(file, ...rest);
    }) as typeof actual.readFileSync,
  };
});

describe("the node source, for a user who cannot read the components' files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "kubemend-node-source-"));
    const root = path.join(dir, "node");
    const cert = await issue({ cn: "kubernetes-master", sans: { ip: ["10.0.0.1"] } });
    await mkdir(path.join(root, "etc/kubernetes/cert"), { recursive: true });
    await writeFile(path.join(root, "etc/kubernetes/cert/kubernetes.pem"), cert.pem);
    await writeFile(path.join(root, "etc/kubernetes/cert/denied-ca.pem"), cert.pem);
    const proc = path.join(dir, "proc", "42");
    await mkdir(proc, { recursive: true });
    const argv = [
      "/opt/k8s/bin/kube-apiserver",
      "--advertise-address=10.0.0.1",
      "--tls-cert-file=/etc/kubernetes/cert/kubernetes.pem",
      "--client-ca-file=/etc/kubernetes/cert/denied-ca.pem",
    ];
    await writeFile(path.join(proc, "cmdline"), `${argv.join("\0")}\0`);
    await writeFile(path.join(proc, "environ"), "");
    await writeFile(path.join(proc, "cgroup"), "0::/system.slice/kube-apiserver.service\n");
    await symlink(root, path.join(proc, "root"));
    await symlink(root, path.join(proc, "cwd"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads what it can and says in one warning what it could not, with no unparsable rows", async () => {
    const ctx = {
      config: () => ({ server: "https://10.0.0.1:6443" }),
      explicit: false,
      options: { procRoot: path.join(dir, "proc") },
    } as unknown as SourceContext;
    const data = await nodeSource(ctx);
    expect(data.certs?.map((c) => [c.location, c.problem])).toEqual([
      ["/etc/kubernetes/cert/kubernetes.pem", undefined],
    ]);
    expect(data.warnings).toEqual([
      {
        source: "node",
        message:
          "could not read 1 file the node's components use (permission denied), such as /etc/kubernetes/cert/denied-ca.pem: their certificates were not checked",
        hint: "run as root on the node (sudo kubectl certs expiry)",
      },
    ]);
    expect(data.nodeFacts?.[0]?.components).toEqual(["kube-apiserver (pid 42, kube-apiserver.service)"]);
  });
});
