import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runPlugin } from "@kubemend/lib/cli/app";
import { bufferStreams } from "@kubemend/lib/cli/io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certsPlugin } from "../plugin.js";
import { type Issued, issue, NOW } from "../testing.js";
import { expiryOptions, validateExpiry } from "./expiry.js";

// The command end to end without a cluster: flags, the pki source on a directory, output, exit codes.
describe("kubectl certs expiry", () => {
  let dir: string;
  let apiserver: Issued;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "kubemend-certs-cmd-"));
    mkdirSync(path.join(dir, "pki"));
    const ca = await issue({ cn: "kubernetes", ca: true, to: 3650 });
    apiserver = await issue({
      cn: "kube-apiserver",
      sans: { dns: ["kubernetes", "kubernetes.default", "kubernetes.default.svc"], ip: ["10.96.0.1"] },
      signer: ca,
      from: -400,
      to: -3,
    });
    writeFileSync(path.join(dir, "pki", "ca.crt"), ca.pem);
    writeFileSync(path.join(dir, "pki", "apiserver.crt"), apiserver.pem);
    writeFileSync(path.join(dir, "pki", "apiserver.key"), apiserver.key.privateKeyPem);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (...args: string[]) => {
    const io = bufferStreams();
    const code = await runPlugin(certsPlugin, args, { io, clock: { now: () => NOW }, env: {} });
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  };
  const pki = () => [
    "expiry",
    "--source",
    "pki",
    "--pki-dir",
    path.join(dir, "pki"),
    "--kubeconfig-dir",
    dir,
  ];

  it("S4: an expired apiserver.crt is critical with kubeadm's renew command, exit 1", async () => {
    const result = await run(...pki(), "-o", "json");
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.kind).toBe("CertificateReport");
    expect(report.sources).toEqual(["pki"]);
    expect(report.findings.map((f: { code: string }) => f.code)).toEqual(["CERT_EXPIRED"]);
    expect(report.findings[0].next).toMatch(/^on each control-plane node: kubeadm certs renew apiserver, /);
    expect(report.certificates[0]).toMatchObject({
      source: "pki",
      location: path.join(dir, "pki", "apiserver.crt"),
      status: "EXPIRED",
      serial: apiserver.info.serial,
      residualMs: -3 * 86_400_000,
    });
    expect(result.stdout).not.toContain("PRIVATE KEY");
  });

  it("prints the table, then the findings; --fail-on never exits 0", async () => {
    const result = await run(...pki(), "--fail-on", "never");
    expect(result.code).toBe(0);
    const [listing, findings] = result.stdout.split("\n\n");
    expect(listing?.split("\n")[0]).toMatch(
      /^SOURCE\s+LOCATION\s+SUBJECT\s+ISSUER\s+EXPIRES\s+RESIDUAL\s+STATUS$/,
    );
    expect(listing?.split("\n")[1]).toMatch(
      /^pki\s+\S+apiserver\.crt\s+CN=kube-apiserver\s+CN=kubernetes\s+2026-05-29T00:00:00Z\s+-3d\s+EXPIRED$/,
    );
    expect(findings).toMatch(/^SEVERITY\s+CODE\s+SUBJECT\s+MESSAGE\nCRITICAL\s+CERT_EXPIRED\s/);
  });

  it("-o prometheus", async () => {
    const result = await run(...pki(), "-o", "prometheus");
    expect(result.stdout).toMatch(/^x509_cert_expired\{.*subject_CN="kube-apiserver".*\} 1$/m);
  });

  it.each([
    [["--warn-within", "soon"], 'invalid --warn-within "soon"'],
    [
      ["--warn-within", "5d", "--critical-within", "10d"],
      "--critical-within (10d) is longer than --warn-within (5d)",
    ],
    [["--source", "pki,disks"], 'unknown source "disks"'],
    [["--fail-on", "error"], 'unknown severity "error"'],
    [["-o", "csv"], 'unsupported output format "csv"'],
  ])("rejects %j with exit 2", async (flags, message) => {
    const result = await run(...pki(), ...flags);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(`error: ${message}`);
  });

  it("exit 3 when no source could be read", async () => {
    const result = await run("expiry", "--source", "pki", "--pki-dir", path.join(dir, "nothing"));
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `error: no source could be read: --pki-dir ${path.join(dir, "nothing")} does not exist\n  hint: run on a control-plane node, or pass --pki-dir\n`,
    );
  });
});

describe("certs expiry options", () => {
  const kube = { kube: { namespace: "team", allNamespaces: false } as never };
  const defaults = {
    "fail-on": "critical",
    "tls-timeout": "3s",
    "warn-within": "30d",
    "critical-within": "7d",
    "node-concurrency": 16,
  };

  it("reads the flags once into one typed object", () => {
    expect(
      expiryOptions({ ...defaults, source: ["pki,served"], "scan-opaque": true, "chunk-size": 50 }, kube),
    ).toEqual({
      sources: ["pki", "served"],
      explicit: true,
      limits: {
        failOn: "critical",
        tlsTimeoutMs: 3000,
        warnWithinMs: 30 * 86_400_000,
        criticalWithinMs: 7 * 86_400_000,
      },
      source: {
        chunkSize: 50,
        allContexts: false,
        pkiDir: "/etc/kubernetes/pki",
        kubeconfigDir: "/etc/kubernetes",
        kubeletPkiDir: "/var/lib/kubelet/pki",
        scanOpaque: true,
        namespace: "team",
        probeTimeoutMs: 3000,
        concurrency: 16,
      },
    });
    expect(expiryOptions(defaults, kube).explicit).toBe(false);
  });

  it.each([
    [{ "node-concurrency": 0 }, 'invalid --node-concurrency "0"'],
    [{ "node-concurrency": 1.5 }, 'invalid --node-concurrency "1.5"'],
    [{ "chunk-size": 0 }, 'invalid --chunk-size "0"'],
    // A file where a directory belongs is bad input (it read as eleven unparsable rows, exit 0).
    [{ "pki-dir": "package.json" }, "--pki-dir package.json is not a directory"],
    [{ "kubeconfig-dir": "package.json" }, "--kubeconfig-dir package.json is not a directory"],
  ])("refuses %j", (over, message) => {
    expect(() => validateExpiry(expiryOptions({ ...defaults, ...over }, kube))).toThrow(message);
  });

  it("refuses a bad value while reading it, before any source runs", () => {
    expect(() => expiryOptions({ ...defaults, source: ["etcd"] }, kube)).toThrow('unknown source "etcd"');
    expect(() => expiryOptions({ ...defaults, "fail-on": "ok" }, kube)).toThrow('unknown severity "ok"');
  });
});
