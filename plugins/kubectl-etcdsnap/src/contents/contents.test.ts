import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EtcdEndpoint } from "../etcd/client.js";
import { rangeKeys } from "../etcd/keys.js";
import {
  type EtcdFlavor,
  etcdTools,
  Gateway,
  noise,
  type RunningEtcd,
  startEtcd,
} from "../snapshot/testing.js";
import { runEtcdsnap } from "../testing.js";
import type { KeyChange } from "./diff.js";
import type { Inspection } from "./inspect.js";
import { RevisionPairs } from "./pairs.js";
import { recordRevisions } from "./walk.js";

const run = promisify(execFile);

const enc = (label: string, n: number) => Buffer.concat([Buffer.from(`${label}:`), noise(n, 64)]);

/** The keys snapshot A holds, with their values. */
const BASE: [string, string | Buffer][] = [
  ["/registry/namespaces/default", "ns"],
  ["/registry/namespaces/shop", "ns"],
  ["/registry/deployments/shop/web", "d".repeat(1000)],
  ["/registry/pods/shop/web-1", "p".repeat(100)],
  ["/registry/pods/shop/web-2", "p".repeat(100)],
  ["/registry/pods/shop/web-3", "p".repeat(100)],
  ["/registry/pods/default/p", "p".repeat(50)],
  ["/registry/secrets/shop/plain", "k8s\u0000plain secret bytes"],
  ["/registry/secrets/shop/enc1", enc("k8s:enc:aescbc:v1:key1", 1)],
  ["/registry/secrets/default/enc2", enc("k8s:enc:aescbc:v1:key1", 2)],
  ["/registry/secrets/default/kms", enc("k8s:enc:kms:v2:vault", 3)],
  ["/registry/events/shop/e1", "e".repeat(200)],
  ["/registry/events/shop/e2", "e".repeat(200)],
  ["/registry/services/specs/shop/web", "svc"],
  ["/registry/example.com/widgets/shop/w1", "widget"],
  ["/registry/configmaps/kube-system/big", noise(9, 20_000)],
  ["/other/thing", "not kubernetes"],
];
const WEB1_V3 = "q".repeat(120);

const sizeOf = (k: string, v: string | Buffer) => k.length + Buffer.byteLength(v);

describe.each(["3.5", "3.6"] as EtcdFlavor[])("inspect and diff on real etcd %s snapshots", (flavor) => {
  let root: string;
  let etcd: RunningEtcd;
  let a: string;
  let b: string;
  let compactedAt = 0;
  let revA = 0;
  let revB = 0;

  beforeAll(async () => {
    const tools = await etcdTools(flavor);
    if (typeof tools === "string") throw new Error(tools);
    root = await mkdtemp(path.join(tmpdir(), `kubemend-etcdsnap-contents-${flavor}-`));
    etcd = await startEtcd(tools, path.join(root, "data"));
    const gw = new Gateway(etcd.url);
    const rev = (r: Record<string, unknown>) => Number((r.header as { revision: string }).revision);
    const save = async (file: string) => {
      await run(tools.etcdctl, [`--endpoints=${etcd.url}`, "snapshot", "save", file], {
        env: { ...process.env, ETCDCTL_API: "3" },
      });
      return file;
    };
    await gw.putMany(BASE);
    await gw.put("/registry/pods/shop/tmp", "t");
    await gw.del("/registry/pods/shop/tmp");
    compactedAt = rev(await gw.put("/registry/pods/shop/web-1", "p".repeat(100)));
    await gw.call("kv/compaction", { revision: String(compactedAt), physical: true });
    await gw.put("/registry/pods/shop/web-1", WEB1_V3);
    await gw.put("/registry/pods/shop/tmp2", "t");
    revA = rev(await gw.del("/registry/pods/shop/tmp2"));
    a = await save(path.join(root, "a.db"));

    await gw.put("/registry/deployments/shop/web", "d".repeat(1001));
    await gw.del("/registry/pods/shop/web-3");
    await gw.put("/registry/pods/shop/web-4", "p");
    await gw.del("/registry/services/specs/shop/web");
    revB = rev(await gw.put("/registry/secrets/shop/new", "k8s\u0000new"));
    b = await save(path.join(root, "b.db"));

    // After B, only the live keyspace changes.
    await gw.del("/other/thing");
  }, 120_000);

  afterAll(async () => {
    await etcd?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("inspect counts keys and bytes per resource, namespaces, Events, Secret encryption, members, compaction", async () => {
    const r = await runEtcdsnap(["inspect", a, "--top", "2", "-o", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as Inspection;
    const live = new Map(BASE);
    live.set("/registry/pods/shop/web-1", WEB1_V3);
    const total = [...live].reduce((s, [k, v]) => s + sizeOf(k, v), 0);
    expect(got.revision).toBe(revA);
    expect(got.totalKeys).toBe(17);
    expect(got.totalBytes).toBe(total);
    // The 17 kept at the compaction (web-1's version there among them), web-1 v3, tmp2 and its delete.
    expect(got.revisions).toBe(20);
    const bytes = (prefix: string) =>
      [...live].filter(([k]) => k.startsWith(prefix)).reduce((s, [k, v]) => s + sizeOf(k, v), 0);
    expect(got.resources).toEqual([
      { group: "", resource: "configmaps", keys: 1, bytes: bytes("/registry/configmaps/") },
      { group: "apps", resource: "deployments", keys: 1, bytes: bytes("/registry/deployments/") },
      { group: "", resource: "pods", keys: 4, bytes: bytes("/registry/pods/") },
      { group: "", resource: "events", keys: 2, bytes: bytes("/registry/events/") },
      { group: "", resource: "secrets", keys: 4, bytes: bytes("/registry/secrets/") },
      { group: "", resource: "namespaces", keys: 2, bytes: bytes("/registry/namespaces/") },
      { group: "example.com", resource: "widgets", keys: 1, bytes: bytes("/registry/example.com/") },
      { group: "", resource: "services", keys: 1, bytes: bytes("/registry/services/") },
      { group: "", resource: "(not kubernetes)", keys: 1, bytes: bytes("/other/") },
    ]);
    expect(got.namespaces).toEqual([
      {
        namespace: "shop",
        objects: 10,
        bytes: [...live]
          .filter(([k]) => /^\/registry\/(.+\/)?shop\//.test(k) && !k.startsWith("/registry/namespaces/"))
          .reduce((s, [k, v]) => s + sizeOf(k, v), 0),
      },
      {
        namespace: "default",
        objects: 3,
        bytes: [...live].filter(([k]) => k.includes("/default/")).reduce((s, [k, v]) => s + sizeOf(k, v), 0),
      },
    ]);
    expect(got.events).toEqual({
      keys: 2,
      bytes: bytes("/registry/events/"),
      keyShare: 2 / 17,
      byteShare: bytes("/registry/events/") / total,
    });
    expect(got.secrets).toEqual({
      total: 4,
      encrypted: 3,
      share: 0.75,
      providers: [
        { provider: "k8s:enc:aescbc:v1:key1", keys: 2 },
        { provider: "identity", keys: 1 },
        { provider: "k8s:enc:kms:v2:vault", keys: 1 },
      ],
    });
    expect(got.compaction).toEqual({ scheduled: compactedAt, finished: compactedAt, pending: false });
    expect(got.members).toHaveLength(1);
    expect(got.members[0]).toMatchObject({
      name: "fixture",
      peerURLs: [expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/)],
    });
    expect(got.largest.map((l) => [l.key, l.bytes])).toEqual([
      ["/registry/configmaps/kube-system/big", bytes("/registry/configmaps/")],
      ["/registry/deployments/shop/web", bytes("/registry/deployments/")],
    ]);
    expect(got.largest[1]).toMatchObject({
      group: "apps",
      resource: "deployments",
      namespace: "shop",
      name: "web",
    });
    expect(got.problems).toBe(0);
    // Names and sizes only: no value reaches the output.
    expect(r.stdout).not.toContain("plain secret bytes");
    const table = await runEtcdsnap(["inspect", a]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(
      "Secrets: 4, 3 encrypted at rest (75.0%): k8s:enc:aescbc:v1:key1 2, identity 1, k8s:enc:kms:v2:vault 1",
    );
    expect(table.stdout).toContain(`Compaction: compacted at revision ${compactedAt}`);
    expect(table.stdout).not.toContain("plain secret bytes");
  });

  const expectedAB: Partial<KeyChange>[] = [
    { change: "changed", group: "apps", resource: "deployments", namespace: "shop", name: "web" },
    { change: "removed", group: "", resource: "pods", namespace: "shop", name: "web-3" },
    { change: "added", group: "", resource: "pods", namespace: "shop", name: "web-4" },
    { change: "added", group: "", resource: "secrets", namespace: "shop", name: "new" },
    { change: "removed", group: "", resource: "services", namespace: "shop", name: "web" },
  ];
  const headlineAB =
    "restoring a.db would: 1 Deployment reverts, 1 Pod disappears, 1 Secret disappears, 1 Pod comes back, 1 Service comes back";

  it("diff A B lists exactly the keys added, removed and changed, grouped by resource, with the headline", async () => {
    const r = await runEtcdsnap(["diff", a, b, "-o", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.headline).toBe(headlineAB);
    expect(d.a).toEqual({ file: a, revision: revA });
    expect(d.b).toEqual({ file: b, revision: revB });
    expect(d.changes.map(({ key: _k, revisionA: _a, revisionB: _b, ...c }: KeyChange) => c)).toEqual(
      expectedAB,
    );
    expect(d.changes[0]).toMatchObject({
      key: "/registry/deployments/shop/web",
      revisionA: expect.any(Number),
    });
    expect(d.changes[0].revisionB).toBeGreaterThan(d.changes[0].revisionA);
    expect(d.summary).toEqual([
      { group: "apps", resource: "deployments", added: 0, removed: 0, changed: 1 },
      { group: "", resource: "pods", added: 1, removed: 1, changed: 0 },
      { group: "", resource: "secrets", added: 1, removed: 0, changed: 0 },
      { group: "", resource: "services", added: 0, removed: 1, changed: 0 },
    ]);
    expect(d.unchanged).toBe(17 - 3);
    const same = JSON.parse((await runEtcdsnap(["diff", a, a, "-o", "json"])).stdout);
    expect(same).toMatchObject({
      changes: [],
      unchanged: 17,
      headline: "restoring a.db would change nothing: the keyspaces are the same",
    });
  });

  it("diff A --live reads the live keys from etcd and adds what changed after B", async () => {
    const r = await runEtcdsnap(["diff", a, "--live", "--endpoints", etcd.url, "-o", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.b).toEqual({ endpoint: etcd.url, revision: revB + 1 });
    expect(d.changes.map(({ key: _k, revisionA: _a, revisionB: _b, ...c }: KeyChange) => c)).toEqual([
      { change: "removed", group: "", resource: "(not kubernetes)", name: "/other/thing" },
      ...expectedAB,
    ]);
    expect(d.headline).toBe(`${headlineAB}, 1 (not kubernetes) comes back`);
    const table = await runEtcdsnap(["diff", a, "--live", "--endpoints", etcd.url]);
    expect(table.stdout.split("\n")[0]).toBe(`${headlineAB}, 1 (not kubernetes) comes back`);
  });

  it("pages through the keys-only range at one revision and gets the same keys as the snapshot walk", async () => {
    const endpoint = new EtcdEndpoint(etcd.url, undefined);
    try {
      const collect = async (pageSize?: number) => {
        const keys: [string, number][] = [];
        const live = await rangeKeys(endpoint, (k, rev) => keys.push([k, rev]), pageSize);
        return { live, keys };
      };
      const paged = await collect(3);
      const whole = await collect();
      // B's 17 keys less /other/thing, in key order, all at the revision of the first page.
      expect(paged.keys).toHaveLength(16);
      expect(paged.keys.map(([k]) => k)).toEqual(paged.keys.map(([k]) => k).sort());
      expect(paged.keys).toEqual(whole.keys);
      expect(paged.live.revision).toBe(revB + 1);
      const pairs = new RevisionPairs();
      await recordRevisions(b, pairs, "a");
      const fromB = [...pairs.entries()].filter(([k, rev]) => rev !== 0 && k !== "/other/thing");
      expect(new Map(paged.keys)).toEqual(new Map(fromB.map(([k, rev]) => [k, rev])));
    } finally {
      endpoint.close();
    }
  });

  it("refuses B together with --live, and a file that is not a snapshot, with exit 2", async () => {
    const both = await runEtcdsnap(["diff", a, b, "--live"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("either a second snapshot");
    const junk = path.join(root, "junk.db");
    await writeFile(junk, "not a bbolt file at all".repeat(400));
    const bad = await runEtcdsnap(["inspect", junk]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")[0]).toMatch(/^error: .*junk\.db/);
    expect((await runEtcdsnap(["diff", junk, a])).code).toBe(2);
  });
});
