import { execFile } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";
import { REPO } from "../env/paths.js";

// The README's first command, one pass: it must start the sandbox, plant the incidents and exit 0.
it("the demo makes one pass with --once and exits 0", async () => {
  const result = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO, ".tsbuild", "bundles", "demo.mjs"), "--once"],
      { env: process.env, maxBuffer: 64 << 20, timeout: 170_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) || 1 : 0, out: `${stdout}${stderr}` }),
    );
  });
  expect(result.code, result.out.slice(-2000)).toBe(0);
  expect(result.out).toMatch(/kube-proxy-\S+\s+0\/1\s+CrashLoopBackOff/);
  expect(result.out).toMatch(/kubernetes\.io\/kubelet-serving\s+system:node:\S+\s+<none>\s+Pending/);
  expect(result.out).toMatch(
    /kube-apiserver-client-kubelet\s+system:bootstrap:abcdef\s+<none>\s+Approved,Issued/,
  );
  for (const headline of [
    "kubectl certs expiry",
    "kubectl csr approve-serving --all",
    "kubectl etcdsnap save",
    "kubectl netcheck svc myapp",
  ])
    expect(result.out).toContain(`\u2500\u2500 ${headline}`);
  expect(result.out).toMatch(/demo: one pass done in/);
});

it("the binary-install demo (--shape binary) makes one pass: the planted mistakes, a snapshot, systemd restore steps", async () => {
  const result = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO, ".tsbuild", "bundles", "demo.mjs"), "--shape", "binary", "--once"],
      { env: process.env, maxBuffer: 64 << 20, timeout: 170_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) || 1 : 0, out: `${stdout}${stderr}` }),
    );
  });
  expect(result.code, result.out.slice(-2000)).toBe(0);
  expect(result.out).toMatch(/CRITICAL\s+SAN_MISSING\s+\/etc\/kubernetes\/cert\/kubernetes\.pem/);
  expect(result.out).toMatch(
    /CRITICAL\s+CERT_EXPIRED\s+\/etc\/kubernetes\/cert\/kubelet-client-current\.pem/,
  );
  expect(result.out).toMatch(/systemctl stop etcd\.service/);
  expect(result.out).toMatch(/demo: one pass done in/);
});
