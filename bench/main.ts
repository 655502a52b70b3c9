// `npm run bench [-- --only NAME] [--runs N] [--warmup N]`: runs each suite's kubemend command and
// its peer side by side, prints a Markdown table, and writes bench/results/<date>-<name>.{json,md}.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { compare } from "./compare.js";
import { machine, markdown } from "./report.js";
import type { Suite } from "./suite.js";
import { startup } from "./suites/startup.js";

const SUITES: Suite[] = [startup];

const { values } = parseArgs({
  options: {
    only: { type: "string", multiple: true },
    runs: { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    repo: { type: "string", default: process.cwd() },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
if (!(runs >= 5)) throw new Error("--runs must be at least 5");
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

for (const suite of selected) {
  console.error(`bench: ${suite.name}: ${suite.describe}`);
  const prepared = await suite.prepare({ repo });
  try {
    const result = await compare(suite.name, prepared.a, prepared.b, runs, warmup);
    const table = markdown(result, host);
    console.log(table);
    writeFileSync(
      path.join(outDir, `${date}-${suite.name}.json`),
      `${JSON.stringify({ host, ...result }, null, 2)}\n`,
    );
    writeFileSync(path.join(outDir, `${date}-${suite.name}.md`), table);
  } finally {
    await prepared.teardown();
  }
}
