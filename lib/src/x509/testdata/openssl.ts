// Test helper: runs the real openssl binary in a scratch directory.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Scratch {
  dir: string;
  path(name: string): string;
  write(name: string, content: string | Uint8Array): string;
  read(name: string): string;
  readBytes(name: string): Buffer;
  openssl(...args: string[]): string;
  remove(): void;
}

export function scratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), "kubemend-x509-"));
  const path = (name: string) => join(dir, name);
  return {
    dir,
    path,
    write(name, content) {
      writeFileSync(path(name), content);
      return path(name);
    },
    read: (name) => readFileSync(path(name), "utf8"),
    readBytes: (name) => readFileSync(path(name)),
    openssl: (...args) =>
      execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
