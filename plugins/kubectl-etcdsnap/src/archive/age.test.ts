import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etcdSnapshot, etcdTools } from "../snapshot/testing.js";
import { runEtcdsnap } from "../testing.js";
import { type Encryption, encryptFile, openPlaintext } from "./age.js";
import type { SnapshotMetadata } from "./metadata.js";

// age encryption at rest on a real etcd 3.6 snapshot, with identities generated here: the round
// trip, a wrong identity, damaged ciphertext, and that an encrypted file is never taken for a
// corrupt snapshot. Decrypted copies go to $TMPDIR, which each test checks is empty afterwards.
describe("age encryption of snapshots", () => {
  let skip: string | undefined;
  let dir: string;
  let tmp: string;
  let savedTmp: string | undefined;
  let plain: string;
  let original: Buffer;
  let sealed: string;
  let enc: Encryption;
  let idFile: string;
  let otherIdFile: string;
  let recipient: string;
  let etcdutl: string;

  beforeAll(async () => {
    const fx = await etcdSnapshot("3.6", "tiny");
    const tools = await etcdTools("3.6");
    if (typeof fx === "string") skip = fx;
    else if (typeof tools === "string") skip = tools;
    else {
      plain = fx.snapshot;
      etcdutl = tools.status[0] as string;
    }
    dir = await mkdtemp(path.join(tmpdir(), "kubemend-age-test-"));
    tmp = await mkdtemp(path.join(tmpdir(), "kubemend-age-tmp-"));
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const identity = await generateX25519Identity();
    recipient = await identityToRecipient(identity);
    idFile = path.join(dir, "key.txt");
    await writeFile(idFile, `# created: now\n# public key: ${recipient}\n${identity}\n`, { mode: 0o600 });
    otherIdFile = path.join(dir, "other.txt");
    await writeFile(otherIdFile, `${await generateX25519Identity()}\n`, { mode: 0o600 });
    if (skip) return;
    original = await readFile(plain);
    sealed = path.join(dir, "s.db");
    enc = await encryptFile(plain, sealed, [recipient]);
  }, 300_000);
  afterAll(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await rm(dir, { recursive: true, force: true });
    await rm(tmp, { recursive: true, force: true });
  });

  const tmpIsEmpty = async () => expect(await readdir(tmp)).toEqual([]);
  const copyOf = async (name: string, bytes: Uint8Array) => {
    const f = path.join(dir, name);
    await writeFile(f, bytes);
    return f;
  };

  it("writes a 0600 age file whose size and sha256 are what it reports, and decrypts to the same bytes", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const bytes = await readFile(sealed);
    expect(bytes.subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
    expect(bytes.includes(original.subarray(4096, 4096 + 64))).toBe(false);
    expect((await stat(sealed)).mode & 0o777).toBe(0o600);
    expect(enc).toEqual({
      format: "age",
      recipients: [recipient],
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    const p = await openPlaintext(sealed, idFile);
    expect(p.encrypted).toBe(true);
    expect(path.dirname(path.dirname(p.path))).toBe(tmp);
    expect((await stat(p.path)).mode & 0o777).toBe(0o600);
    expect((await readFile(p.path)).equals(original)).toBe(true);
    await p.dispose();
    await tmpIsEmpty();
  });

  it("status: exit 2 and one line without --decrypt-with; with it, exactly what the plaintext gives", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const bare = await runEtcdsnap(["status", sealed]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe("");
    expect(bare.stderr.split("\n")[0]).toBe(`error: ${sealed} is encrypted with age; pass --decrypt-with`);
    expect(bare.stderr).not.toMatch(/corrupt|not an etcd snapshot|bbolt/);
    const want = JSON.parse((await runEtcdsnap(["status", plain, "-o", "json"])).stdout);
    const r = await runEtcdsnap(["status", sealed, "--decrypt-with", idFile, "-o", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    for (const k of ["hash", "revision", "totalKey", "totalSize", "version", "fileSize"])
      expect(got[k]).toEqual(want[k]);
    expect(got.encrypted).toBe(true);
    expect(got.file).toBe(sealed);
    expect(got.integrity.ok).toBe(true);
    await tmpIsEmpty();
  });

  it("a wrong identity is one line and exit 2 for status, inspect, diff and restore", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const runs = [
      ["status", sealed],
      ["inspect", sealed],
      ["diff", sealed, plain],
      [
        "restore",
        sealed,
        "--data-dir",
        path.join(dir, "restored"),
        "--etcdutl",
        etcdutl,
        "--bump-revision",
        "10",
      ],
    ];
    for (const argv of runs) {
      const r = await runEtcdsnap([...argv, "--decrypt-with", otherIdFile]);
      expect(r.code, argv.join(" ")).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines[0]).toBe(
        `error: ${sealed} is encrypted with age to other recipients: no identity in ${otherIdFile} matches`,
      );
      expect(lines.length).toBeLessThanOrEqual(2);
    }
    await tmpIsEmpty();
  });

  it("damaged or cut ciphertext is an integrity failure (exit 1), and restore refuses it", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const bytes = await readFile(sealed);
    const flipped = Buffer.from(bytes);
    const at = bytes.length - 100;
    flipped.writeUInt8(flipped.readUInt8(at) ^ 0x01, at);
    const damaged = await copyOf("damaged.db", flipped);
    const cut = await copyOf("cut.db", bytes);
    await truncate(cut, bytes.length - 1000);
    // The header's MAC line starts with "--- "; a changed MAC is a changed header.
    const macAt = bytes.indexOf("\n--- ") + 6;
    const badMac = Buffer.from(bytes);
    badMac.write(badMac.subarray(macAt, macAt + 1).toString() === "A" ? "B" : "A", macAt);
    const badHeader = await copyOf("badmac.db", badMac);
    for (const f of [damaged, cut, badHeader]) {
      const r = await runEtcdsnap(["status", f, "--decrypt-with", idFile, "-o", "json"]);
      expect(r.code, f).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out.integrity.ok).toBe(false);
      expect(out.integrity.problem).toMatch(new RegExp(`^${f} is encrypted with age but does not decrypt`));
    }
    const restore = await runEtcdsnap([
      "restore",
      damaged,
      "--decrypt-with",
      idFile,
      "--data-dir",
      path.join(dir, "restored"),
      "--etcdutl",
      etcdutl,
      "--bump-revision",
      "10",
    ]);
    expect(restore.code).toBe(2);
    expect(restore.stderr.split("\n")[0]).toMatch(/^error: refusing to restore: .* does not decrypt/);
    await tmpIsEmpty();
  });

  it("an encrypted file that holds no snapshot is bad input named by its own path, not the temporary copy", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const junk = await copyOf("junk.bin", randomBytes(20_000));
    const sealedJunk = path.join(dir, "junk.db");
    await encryptFile(junk, sealedJunk, [recipient]);
    const r = await runEtcdsnap(["status", sealedJunk, "--decrypt-with", idFile]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^error: ${sealedJunk} is not an etcd snapshot`));
    expect(r.stderr).not.toContain(tmp);
    await tmpIsEmpty();
  });

  it("inspect and diff read an encrypted snapshot exactly as the plain one", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const a = JSON.parse((await runEtcdsnap(["inspect", plain, "-o", "json"])).stdout);
    const r = await runEtcdsnap(["inspect", sealed, "--decrypt-with", idFile, "-o", "json"]);
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout);
    expect(b.file).toBe(sealed);
    expect({ ...b, file: "" }).toEqual({ ...a, file: "" });
    const d = await runEtcdsnap(["diff", sealed, plain, "--decrypt-with", idFile, "-o", "json"]);
    expect(d.code).toBe(0);
    const diff = JSON.parse(d.stdout);
    expect(diff.changes).toEqual([]);
    expect(diff.unchanged).toBeGreaterThan(0);
    expect(diff.a.revision).toBe(a.revision);
    await tmpIsEmpty();
  });

  it("list shows encryption and --verify checks the ciphertext against FILE.json without an identity", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const store = await mkdtemp(path.join(dir, "store-"));
    const s = JSON.parse((await runEtcdsnap(["status", plain, "-o", "json"])).stdout);
    const file = path.join(store, "etcd-test-20240101T000000Z.db");
    await writeFile(file, await readFile(sealed), { mode: 0o600 });
    const meta: SnapshotMetadata = {
      apiVersion: "kubemend.io/v1",
      kind: "EtcdSnapshot",
      file: path.basename(file),
      time: "2024-01-01T00:00:00.000Z",
      revision: s.revision,
      hash: s.hash,
      totalKey: s.totalKey,
      size: s.fileSize,
      sha256: s.integrity.sha256.actual,
      clusterId: "1",
      memberId: "2",
      endpoint: "http://127.0.0.1:2379",
      etcdVersion: "3.6.0",
      storageVersion: "3.6.0",
      kubernetesVersion: null,
      verified: true,
      encryption: enc,
    };
    await writeFile(`${file}.json`, JSON.stringify(meta));
    const listed = JSON.parse((await runEtcdsnap(["list", "--dir", store, "-o", "json"])).stdout);
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ encrypted: true, state: "saved", revision: s.revision });
    const table = await runEtcdsnap(["list", "--dir", store]);
    expect(table.stdout).toMatch(/ENCRYPTED/);
    expect(table.stdout).toMatch(/\bage\b/);
    const sealedOnly = JSON.parse(
      (await runEtcdsnap(["list", "--dir", store, "--verify", "-o", "json"])).stdout,
    );
    expect(sealedOnly.items[0]).toMatchObject({
      state: "verified",
      note: expect.stringMatching(/ciphertext/),
    });
    const full = await runEtcdsnap([
      "list",
      "--dir",
      store,
      "--verify",
      "--decrypt-with",
      idFile,
      "-o",
      "json",
    ]);
    expect(full.code).toBe(0);
    expect(JSON.parse(full.stdout).items[0].state).toBe("verified");
    expect(JSON.parse(full.stdout).items[0].note).toBeUndefined();
    const bytes = await readFile(file);
    bytes.writeUInt8(bytes.readUInt8(5000) ^ 0x10, 5000);
    await writeFile(file, bytes);
    const bad = await runEtcdsnap(["list", "--dir", store, "--verify", "-o", "json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).items[0]).toMatchObject({
      state: "failed",
      problem: expect.stringMatching(/changed or cut/),
    });
    await tmpIsEmpty();
  });

  it("restore-plan decrypts to plan, and says etcdutl needs the plaintext", async (ctx) => {
    if (skip) return ctx.skip(skip);
    expect((await runEtcdsnap(["restore-plan", sealed])).code).toBe(2);
    const r = await runEtcdsnap(["restore-plan", sealed, "--decrypt-with", idFile, "-o", "json"]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { file: string; bumpRevision: number; warnings: string[] };
    expect(plan.file).toBe(sealed);
    expect(plan.bumpRevision).toBe(1_000_000_000);
    expect(plan.warnings.join("\n")).toContain(`${sealed} is encrypted with age: etcdutl cannot read it`);
    expect(plan.warnings.join("\n")).not.toContain("DO NOT RESTORE");
    await tmpIsEmpty();
  });

  it("identity files that are not age identities are one line and exit 2, naming the line, not its content", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const pub = await copyOf("pub.txt", Buffer.from(`# a public key by mistake\n${recipient}\n`));
    const r = await runEtcdsnap(["status", sealed, "--decrypt-with", pub]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(
      `error: ${pub} is not an age identity file: line 2 is not an AGE-SECRET-KEY-…`,
    );
    expect(r.stderr).not.toContain(recipient);
    const missing = await runEtcdsnap(["status", sealed, "--decrypt-with", path.join(dir, "nope.txt")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split("\n")[0]).toMatch(/cannot read the identity file .*nope\.txt: ENOENT/);
    await tmpIsEmpty();
  });
});
