// `npm run bench [-- --only NAME] [--runs N] [--warmup N] [--scale F]`: runs each suite's kubemend
// command and its peer side by side, prints a Markdown table, and writes
// bench/results/<date>-<name>.{json,md}. --scale shrinks the workloads for a quick try.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { compare } from "./compare.js";
import { machine, markdown } from "./report.js";
import { missingCommands } from "./requires.js";
import type { Suite } from "./suite.js";
import { certsNode } from "./suites/certs-node.js";
import { certsSecrets } from "./suites/certs-secrets.js";
import { csrApprove } from "./suites/csr-approve.js";
import { csrApproveClient } from "./suites/csr-approve-client.js";
import { etcdDiff, etcdInspect, etcdStatus } from "./suites/etcd-read.js";
import { etcdSave1g, etcdSave256m } from "./suites/etcd-save.js";
import { netcheckSvc } from "./suites/netcheck-svc.js";
import { seaFloorCompletion, seaFloorSnapshot, seaFloorStatus } from "./suites/sea-floor.js";
import { startup } from "./suites/startup.js";
import { completionSea, etcdStatusSea, startupSea } from "./suites/startup-sea.js";

const SUITES: Suite[] = [
  certsNode,
  startup,
  startupSea,
  completionSea,
  etcdStatusSea,
  seaFloorSnapshot,
  seaFloorCompletion,
  seaFloorStatus,
  certsSecrets,
  csrApprove,
  csrApproveClient,
  etcdSave256m,
  etcdSave1g,
  etcdStatus,
  etcdInspect,
  etcdDiff,
  netcheckSvc,
];

const { values } = parseArgs({
  options: {
    only: { type: "string", multiple: true },
    runs: { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    scale: { type: "string", default: "1" },
    repo: { type: "string", default: process.cwd() },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const scale = Number(values.scale);
if (!(runs >= 5)) throw new Error("--runs must be at least 5");
if (!(scale > 0)) throw new Error("--scale must be a positive number");
const selected = values.only ? SUITES.filter((s) => values.only?.includes(s.name)) : SUITES;
if (selected.length === 0) {
  console.error(
    `no such benchmark: ${values.only?.join(", ")}; known: ${SUITES.map((s) => s.name).join(", ")}`,
  );
  process.exit(2);
}

const kubectlVersion = JSON.parse(execFileSync("kubectl", ["version", "--client", "-o", "json"]).toString())
  .clientVersion.gitVersion;
const host = machine({ kubectl: kubectlVersion });
const repo = path.resolve(values.repo);
const outDir = path.join(repo, "bench", "results");
mkdirSync(outDir, { recursive: true });
const date = new Date().toISOString().slice(0, 10);

const runnable: Suite[] = [];
for (const suite of selected) {
  const missing = await missingCommands(repo, suite.requires ?? []);
  for (const line of missing) console.error(`bench: ${suite.name}: skipped: ${line}`);
  if (missing.length === 0) runnable.push(suite);
}

for (const suite of runnable) {
  console.error(`bench: ${suite.name}: ${suite.describe}${scale === 1 ? "" : ` (scale ${scale})`}`);
  const prepared = await suite.prepare({ repo, scale });
  try {
    // A scaled-down run is kept apart from the full-size results it would otherwise replace.
    const name = scale === 1 ? suite.name : `${suite.name}-scale${scale}`;
    const result = await compare(name, prepared.a, prepared.b, runs, warmup, prepared.beforeRun);
    const table = markdown(result, host, suite.goal);
    console.log(table);
    writeFileSync(
      path.join(outDir, `${date}-${name}.json`),
      `${JSON.stringify({ host, goal: suite.goal, ...result }, null, 2)}\n`,
    );
    writeFileSync(path.join(outDir, `${date}-${name}.md`), table);
  } finally {
    await prepared.teardown();
  }
}
// A suite skipped for a missing command is a run that did not complete (exit 3, as in kubemend).
if (runnable.length < selected.length) process.exitCode = 3;
