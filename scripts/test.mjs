// The test command behind `make test` and CI: typecheck, lint and format check, unit tests, then
// the end-to-end tests against the real control plane inside a network namespace. It prints the
// Node version first and one closing "N passed, N failed" line for the whole run.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const results = path.join(root, ".test-results");
mkdirSync(results, { recursive: true });
console.log(`kubemend tests on Node ${process.version} (${process.platform}/${process.arch})`);

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps = [];

function step(name, command, args) {
  console.log(`\n== ${name}`);
  const started = Date.now();
  const { status } = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  console.log(
    `== ${name}: ${status === 0 ? "ok" : `failed (exit ${status})`} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  if (status !== 0) failedSteps.push(name);
  return status === 0;
}

function vitest(project, prefix = [], also = []) {
  const json = path.join(results, `${project}.json`);
  const args = [
    "vitest",
    "run",
    "--project",
    project,
    ...also.flatMap((p) => ["--project", p]),
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${json}`,
  ];
  const [command, ...rest] = [...prefix, "npx", ...args];
  const ok = step(`${project} tests`, command, rest);
  try {
    const report = JSON.parse(readFileSync(json, "utf8"));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
  } catch {
    if (!ok) totals.failed += 1;
  }
}

step("typecheck", "npx", ["tsc", "-b"]);
step("lint and format", "npx", ["biome", "ci", "--colors=off", "."]);
// Unit tests read real snapshots made by the real etcd, so the control plane is built first.
const controlPlane = step("control plane build (cached after the first run)", "bash", [
  "test/env/build-controlplane.sh",
]);
// cfssl and cfssljson make the binary-install PKIs (the role-rule unit tests and test/env).
const cfsslBuilt = step("cfssl build (cached after the first run)", "bash", ["test/env/build-cfssl.sh"]);
// What users install: this machine's release archive and krew, made before the network namespace
// (the release fetches Node from the npm registry, krew builds from the module proxy). The e2e
// tests run a subset through that binary as krew installs it; the krew step checks the manifests.
const release = path.join(results, "release");
rmSync(release, { recursive: true, force: true });
const released =
  step("release archive for this machine", process.execPath, [
    "scripts/release.mjs",
    "--platform",
    "linux-amd64",
    "--platform",
    "darwin-arm64",
    "--out",
    release,
    "--krew-dir",
    path.join(release, "krew"),
  ]) &&
  step("krew and validate-krew-manifest (cached after the first run)", "bash", ["scripts/krew-tools.sh"]);
process.env.KUBEMEND_RELEASE = release;
// The catalogue project runs after the unit tests, over the finding codes they emitted.
vitest("unit", [], ["catalogue"]);
if (controlPlane && cfsslBuilt && released) vitest("e2e", ["scripts/in-netns.sh"]);
// Distribution (issue #9): the release archive through krew's validator, a real krew install
// from the archive, a dispatch through kubectl and an uninstall, for each plugin.
step("krew: validate, install, run through kubectl, uninstall", process.execPath, [
  "scripts/krew-check.mjs",
  "--release",
  release,
]);

console.log(`\n${failedSteps.length ? `failed steps: ${failedSteps.join(", ")}` : "all steps passed"}`);
// A skipped test proves nothing: the set-up installs whatever a test needs, so a skip fails the run.
if (totals.skipped > 0)
  console.log(`${totals.skipped} skipped: every test must run here (see the skip reasons above)`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = failedSteps.length || totals.failed || totals.skipped ? 1 : 0;
