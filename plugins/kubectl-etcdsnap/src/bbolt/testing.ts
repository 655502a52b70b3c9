// Test helper: bbolt files written by the real bbolt library (testdata/boltgen.go, built with the Go
// toolchain through the Go module proxy), with bbolt's own listing of every entry.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { cacheDir } from "../snapshot/testing.js";

const run = promisify(execFile);
const GENERATOR = path.join(path.dirname(fileURLToPath(import.meta.url)), "testdata/boltgen.go");

export interface GoEntry {
  /** Hex names of the buckets above the entry, top-level first. */
  path: string[];
  key: string;
  /** Hex value; null for a bucket. */
  value: string | null;
}

export interface BoltFixture {
  file: string;
  entries: GoEntry[];
}

const made = new Map<string, Promise<BoltFixture | string>>();

/** A bbolt file made by bbolt itself, or why there cannot be one (no Go toolchain). */
export function boltFixture(persistFreelist: boolean): Promise<BoltFixture | string> {
  const id = `boltgen-${persistFreelist ? "freelist" : "nofreelist"}`;
  let p = made.get(id);
  if (p === undefined) {
    p = (async () => {
      const dir = await cacheDir();
      const file = path.join(dir, `${id}.db`);
      const listing = path.join(dir, `${id}.jsonl`);
      if (!existsSync(file) || !existsSync(listing)) {
        const work = await mkdtemp(path.join(dir, `${id}-work-`));
        try {
          await writeFile(
            path.join(work, "go.mod"),
            "module kubemend.test/boltgen\n\ngo 1.23\n\nrequire go.etcd.io/bbolt v1.4.3\n",
          );
          await copyFile(GENERATOR, path.join(work, "main.go"));
          const env = { ...process.env, GOFLAGS: "-mod=mod", GOSUMDB: "off" };
          let out: string;
          try {
            ({ stdout: out } = await run(
              "go",
              ["run", ".", path.join(work, "x.db"), String(persistFreelist)],
              {
                cwd: work,
                env,
                maxBuffer: 256 << 20,
                timeout: 300_000,
              },
            ));
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT")
              return "no Go toolchain on PATH to build bbolt fixtures";
            throw err;
          }
          await writeFile(path.join(work, "x.jsonl"), out);
          await rename(path.join(work, "x.db"), file);
          await rename(path.join(work, "x.jsonl"), listing);
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      }
      const lines = (await readFile(listing, "utf8")).trim().split("\n");
      return { file, entries: lines.map((l) => JSON.parse(l) as GoEntry) };
    })();
    made.set(id, p);
  }
  return p;
}
