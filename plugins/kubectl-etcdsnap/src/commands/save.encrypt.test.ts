import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etcdTools, Gateway, type RunningEtcd, startEtcd } from "../snapshot/testing.js";
import { runEtcdsnap } from "../testing.js";

// save --encrypt-to and --keep against a real etcd 3.6 on loopback: the backup directory holds
// only age files and their metadata, the plaintext lived in $TMPDIR only while it was verified,
// and each save prunes to the newest N after it succeeded.
describe("etcdsnap save --encrypt-to --keep", () => {
  let root: string;
  let tmp: string;
  let savedTmp: string | undefined;
  let etcd: RunningEtcd;
  let gw: Gateway;
  let recipient: string;
  let idFile: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "kubemend-etcdsnap-encrypt-"));
    const tools = await etcdTools("3.6");
    if (typeof tools === "string") throw new Error(tools);
    etcd = await startEtcd(tools, path.join(root, "data"));
    gw = new Gateway(etcd.url);
    const identity = await generateX25519Identity();
    recipient = await identityToRecipient(identity);
    idFile = path.join(root, "key.txt");
    await writeFile(idFile, `${identity}\n`, { mode: 0o600 });
    tmp = await mkdtemp(path.join(root, "tmp-"));
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
  }, 120_000);
  afterAll(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await etcd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it("writes 0600 age files with metadata, verified before encryption, and keeps the newest two", async () => {
    const dir = await mkdtemp(path.join(root, "store-"));
    const saved: { path: string; revision: number; encryption: { recipients: string[]; size: number } }[] =
      [];
    const pruned: { removed: string[] }[] = [];
    for (let i = 0; i < 3; i++) {
      await gw.put(`/registry/configmaps/default/cm-${i}`, `value-${i}`);
      const r = await runEtcdsnap(
        [
          "save",
          "--dir",
          dir,
          "--endpoints",
          etcd.url,
          "--encrypt-to",
          recipient,
          "--keep",
          "2",
          "-o",
          "json",
        ],
        {},
        new Date(Date.UTC(2024, 0, 1 + i)),
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      saved.push(out);
      pruned.push(out.pruned);
      expect(await readdir(tmp)).toEqual([]);
    }
    expect(pruned.map((p) => p.removed.length)).toEqual([0, 0, 1]);
    expect(pruned[2]?.removed).toEqual([saved[0]?.path]);
    const names = (await readdir(dir)).sort();
    const kept = saved.slice(1).map((s) => path.basename(s.path));
    expect(names).toEqual(kept.flatMap((n) => [n, `${n}.json`]).sort());
    for (const s of saved.slice(1)) {
      const bytes = await readFile(s.path);
      expect(bytes.subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
      expect((await stat(s.path)).mode & 0o777).toBe(0o600);
      expect(s.encryption.recipients).toEqual([recipient]);
      expect(s.encryption.size).toBe(bytes.length);
      const st = await runEtcdsnap(["status", s.path, "--decrypt-with", idFile, "-o", "json"]);
      expect(st.code).toBe(0);
      const status = JSON.parse(st.stdout);
      expect(status.revision).toBe(s.revision);
      expect(status.integrity.ok).toBe(true);
      expect(status.metadata.encryption.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const listed = await runEtcdsnap(["list", "--dir", dir, "--verify", "-o", "json"]);
    expect(listed.code).toBe(0);
    expect(
      JSON.parse(listed.stdout).items.map((e: { state: string; encrypted: boolean }) => [
        e.state,
        e.encrypted,
      ]),
    ).toEqual([
      ["verified", true],
      ["verified", true],
    ]);
    expect(await readdir(tmp)).toEqual([]);
  });

  it("a save that fails leaves nothing: no file, no .part, no plaintext, and prunes nothing", async () => {
    const dir = await mkdtemp(path.join(root, "store-"));
    const first = await runEtcdsnap([
      "save",
      "--dir",
      dir,
      "--endpoints",
      etcd.url,
      "--encrypt-to",
      recipient,
    ]);
    expect(first.code).toBe(0);
    const before = (await readdir(dir)).sort();
    const r = await runEtcdsnap([
      "save",
      "--dir",
      dir,
      "--endpoints",
      "http://127.0.0.1:9",
      "--encrypt-to",
      recipient,
      "--keep",
      "1",
    ]);
    expect(r.code).toBe(3);
    expect((await readdir(dir)).sort()).toEqual(before);
    expect(await readdir(tmp)).toEqual([]);
  });

  it("rejects a recipient that is not an age public key before it connects (exit 2)", async () => {
    const r = await runEtcdsnap([
      "save",
      "--dir",
      root,
      "--endpoints",
      etcd.url,
      "--encrypt-to",
      "age1notakey",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe('error: --encrypt-to "age1notakey" is not an age recipient');
  });

  it("rejects a bare --encrypt-to rather than saving unencrypted (exit 2, nothing written)", async () => {
    const dir = await mkdtemp(path.join(root, "bare-"));
    const r = await runEtcdsnap(["save", "--dir", dir, "--endpoints", etcd.url, "--encrypt-to"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("error: --encrypt-to needs an age recipient");
    expect(await readdir(dir)).toEqual([]);
  });
});
