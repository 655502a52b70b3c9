// The certs workload: TLS secrets with realistic chains, other secrets a cluster also holds, and
// TLS secrets whose PEM cannot be parsed, spread unevenly over namespaces.
import { gzipSync } from "node:zlib";
import { mapLimit } from "@kubemend/lib/concurrency";
import type { KubeClient } from "@kubemend/lib/kube/client";
import { createCertificate, type GeneratedKey, generateKey, type KeyKind } from "@kubemend/lib/x509/issue";
import { APPS, benchLabels, core, ensureNamespaces, namespaceNames } from "./objects.js";
import { Random } from "./random.js";

export const GENERATOR = "tls-secrets";
const DAY = 86_400_000;

export interface SecretsWorkload {
  seed: number | string;
  /** kubernetes.io/tls secrets with a leaf, an intermediate and the root in ca.crt. */
  tls: number;
  /** Opaque, service-account-token and Helm release secrets. */
  other: number;
  /** kubernetes.io/tls secrets whose tls.crt is not a certificate. */
  broken: number;
  namespaces: number;
  /** The clock the validity periods are set from. */
  now?: Date;
}

export type SecretKind = "tls" | "opaque" | "service-account-token" | "helm-release" | "broken-tls";
export type BrokenPem = "not-pem" | "bad-der" | "truncated" | "empty";

export interface PlannedTls {
  key: KeyKind;
  /** Which pooled key of that kind the leaf uses. */
  keySlot: number;
  /** Which pooled intermediate CA signs it. */
  issuer: number;
  serial: string;
  dns: string[];
  notBefore: Date;
  notAfter: Date;
}

export interface PlannedSecret {
  kind: SecretKind;
  namespace: string;
  name: string;
  tls?: PlannedTls;
  broken?: BrokenPem;
  /** Helm: release name and revision. */
  release?: { name: string; revision: number };
}

/** Leaf key kinds by index modulo 10: three RSA, six ECDSA P-256, one P-384, so every mix is exact. */
const LEAF_KEYS: readonly KeyKind[] = [
  "rsa-2048",
  "ecdsa-p256",
  "ecdsa-p256",
  "rsa-2048",
  "ecdsa-p256",
  "ecdsa-p256",
  "rsa-2048",
  "ecdsa-p256",
  "ecdsa-p256",
  "ecdsa-p384",
];
/** Keys per kind in the pool: RSA key generation is what makes 10,000 certificates slow. */
const KEY_SLOTS = 4;
/** Intermediates: each pair hangs off one root, one RSA and one ECDSA root. */
const INTERMEDIATES = 4;
const BROKEN: readonly BrokenPem[] = ["not-pem", "bad-der", "truncated", "empty"];

/**
 * Expiry bands by index modulo 20: 1 expired, 2 within a week, 2 within a month, the rest later
 * (ACME-style 90-day and year-long certificates).
 */
function validity(index: number, rnd: Random, now: Date): { notBefore: Date; notAfter: Date } {
  const band = index % 20;
  const remainingDays =
    band === 0
      ? -rnd.int(1, 60)
      : band <= 2
        ? rnd.int(1, 6)
        : band <= 4
          ? rnd.int(8, 29)
          : rnd.chance(0.5)
            ? rnd.int(30, 89)
            : rnd.int(90, 730);
  const lifetimeDays = remainingDays < 90 && rnd.chance(0.6) ? 90 : 365 + rnd.int(0, 365);
  const notAfter = new Date(now.getTime() + remainingDays * DAY + rnd.int(0, DAY - 1));
  return { notBefore: new Date(notAfter.getTime() - lifetimeDays * DAY), notAfter };
}

/** The whole workload as data, from the seed alone: no I/O, no key material. */
export function planSecrets(workload: SecretsWorkload): PlannedSecret[] {
  const now = workload.now ?? new Date();
  const root = new Random(workload.seed);
  const namespaces = namespaceNames("certs", workload.namespaces);
  const taken = new Set<string>();
  // make() draws from the generator, so a name taken already is followed by a different one.
  const unique = (namespace: string, make: () => string) => {
    for (;;) {
      const name = make();
      if (!taken.has(`${namespace}/${name}`)) {
        taken.add(`${namespace}/${name}`);
        return name;
      }
    }
  };
  const place = (rnd: Random) => namespaces[rnd.skewed(namespaces.length)] as string;
  const plan: PlannedSecret[] = [];

  const tlsRnd = root.fork("tls");
  for (let i = 0; i < workload.tls; i++) {
    const namespace = place(tlsRnd);
    const app = tlsRnd.pick(APPS);
    const name = unique(namespace, () => `${app}-tls-${tlsRnd.alphanumeric(5)}`);
    const host = `${app}.${namespace}.example.com`;
    const dns = tlsRnd.chance(0.3)
      ? [host, `${app}.${namespace}.svc`, `${app}.${namespace}.svc.cluster.local`]
      : [host];
    const key = LEAF_KEYS[i % LEAF_KEYS.length] as KeyKind;
    plan.push({
      kind: "tls",
      namespace,
      name,
      tls: {
        key,
        keySlot: tlsRnd.int(0, KEY_SLOTS - 1),
        issuer: tlsRnd.int(0, INTERMEDIATES - 1),
        serial: serial(tlsRnd),
        dns,
        ...validity(i, tlsRnd, now),
      },
    });
  }

  const otherRnd = root.fork("other");
  const releases = new Map<string, number>();
  for (let i = 0; i < workload.other; i++) {
    const namespace = place(otherRnd);
    const app = otherRnd.pick(APPS);
    // Half Opaque, a fifth legacy service-account tokens, the rest Helm release revisions.
    const slot = i % 10;
    if (slot < 5) {
      const purpose = otherRnd.pick(["db-credentials", "api-keys", "config", "oauth", "s3", "smtp"]);
      plan.push({
        kind: "opaque",
        namespace,
        name: unique(namespace, () => `${app}-${purpose}-${otherRnd.alphanumeric(4)}`),
      });
    } else if (slot < 7) {
      plan.push({
        kind: "service-account-token",
        namespace,
        name: unique(namespace, () => `${app}-token-${otherRnd.alphanumeric(5)}`),
      });
    } else {
      const release = `${app}-${otherRnd.alphanumeric(3)}`;
      const key = `${namespace}/${release}`;
      // Helm keeps several revisions of one release: continue an earlier release half the time.
      const earlier = [...releases.keys()].filter((k) => k.startsWith(`${namespace}/`));
      const chosen = earlier.length > 0 && otherRnd.chance(0.5) ? otherRnd.pick(earlier) : key;
      const revision = (releases.get(chosen) ?? 0) + 1;
      releases.set(chosen, revision);
      const name = chosen.slice(namespace.length + 1);
      plan.push({
        kind: "helm-release",
        namespace,
        name: `sh.helm.release.v1.${name}.v${revision}`,
        release: { name, revision },
      });
    }
  }

  const brokenRnd = root.fork("broken");
  for (let i = 0; i < workload.broken; i++) {
    const namespace = place(brokenRnd);
    const app = brokenRnd.pick(APPS);
    plan.push({
      kind: "broken-tls",
      namespace,
      name: unique(namespace, () => `${app}-tls-${brokenRnd.alphanumeric(5)}`),
      broken: BROKEN[i % BROKEN.length] as BrokenPem,
    });
  }
  return plan;
}

/** A positive 64-bit serial in hex, as Go and cert-manager draw them. */
function serial(rnd: Random): string {
  const bytes = rnd.bytes(8);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01;
  return bytes.toString("hex");
}

/** The pooled keys and CAs that every certificate of one seed is issued from. */
export interface CertificatePool {
  roots: { certPem: string; key: GeneratedKey }[];
  intermediates: { certPem: string; key: GeneratedKey; root: number }[];
  leafKeys: Map<KeyKind, GeneratedKey[]>;
}

export async function certificatePool(seed: number | string, now: Date): Promise<CertificatePool> {
  const rnd = new Random(seed).fork("pool");
  const ca = (
    cn: string,
    key: GeneratedKey,
    years: number,
    signer?: { certPem: string; key: GeneratedKey },
  ) =>
    createCertificate({
      subject: { cn, o: ["kubemend bench"] },
      keyUsages: ["digital signature", "cert sign", "crl sign"],
      extKeyUsages: [],
      isCA: true,
      pathLen: signer ? 0 : undefined,
      notBefore: new Date(now.getTime() - 400 * DAY),
      notAfter: new Date(now.getTime() + years * 365 * DAY),
      serial: serial(rnd),
      publicKey: signer ? key.publicKey : key.privateKey,
      signer: signer && { certPem: signer.certPem, key: signer.key.privateKey },
    });
  const rootKeys = await Promise.all([generateKey("rsa-2048"), generateKey("ecdsa-p384")]);
  const roots = await Promise.all(
    rootKeys.map(async (key, i) => ({ key, certPem: await ca(`Bench Root CA ${i + 1}`, key, 10) })),
  );
  const intermediates = await Promise.all(
    Array.from({ length: INTERMEDIATES }, async (_, i) => {
      const root = i % roots.length;
      const key = await generateKey(i < 2 ? "rsa-2048" : "ecdsa-p256");
      const signer = roots[root] as CertificatePool["roots"][number];
      return { key, root, certPem: await ca(`Bench Issuing CA ${i + 1}`, key, 5, signer) };
    }),
  );
  const leafKeys = new Map<KeyKind, GeneratedKey[]>();
  for (const kind of new Set(LEAF_KEYS))
    leafKeys.set(kind, await Promise.all(Array.from({ length: KEY_SLOTS }, () => generateKey(kind))));
  return { roots, intermediates, leafKeys };
}

interface SecretBody {
  apiVersion: "v1";
  kind: "Secret";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
  };
  type: string;
  data?: Record<string, string>;
}

const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64");

/** The Secret for one planned entry; TLS certificates are issued here, from the pool. */
export async function secretBody(
  planned: PlannedSecret,
  pool: CertificatePool,
  labels: Record<string, string>,
  rnd: Random,
): Promise<SecretBody> {
  const metadata = { name: planned.name, namespace: planned.namespace, labels: { ...labels } };
  switch (planned.kind) {
    case "tls": {
      const tls = planned.tls as PlannedTls;
      const intermediate = pool.intermediates[tls.issuer] as CertificatePool["intermediates"][number];
      const key = pool.leafKeys.get(tls.key)?.[tls.keySlot] as GeneratedKey;
      const leaf = await createCertificate({
        subject: { cn: tls.dns[0] as string },
        sans: { dns: tls.dns },
        keyUsages: tls.key.startsWith("rsa")
          ? ["digital signature", "key encipherment"]
          : ["digital signature"],
        extKeyUsages: ["server auth"],
        isCA: false,
        notBefore: tls.notBefore,
        notAfter: tls.notAfter,
        serial: tls.serial,
        publicKey: key.publicKey,
        signer: { certPem: intermediate.certPem, key: intermediate.key.privateKey },
      });
      const root = pool.roots[intermediate.root] as CertificatePool["roots"][number];
      return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          ...metadata,
          annotations: { "cert-manager.io/issuer-name": `issuing-ca-${tls.issuer + 1}` },
        },
        type: "kubernetes.io/tls",
        data: {
          "tls.crt": b64(leaf + intermediate.certPem),
          "tls.key": b64(key.privateKeyPem),
          "ca.crt": b64(root.certPem),
        },
      };
    }
    case "broken-tls":
      return {
        apiVersion: "v1",
        kind: "Secret",
        metadata,
        type: "kubernetes.io/tls",
        data: {
          "tls.crt": b64(brokenPem(planned.broken as BrokenPem, rnd)),
          "tls.key": b64(garbagePem("PRIVATE KEY", rnd)),
        },
      };
    case "opaque": {
      const data: Record<string, string> = {};
      for (let i = rnd.int(1, 5); i > 0; i--)
        data[rnd.pick(OPAQUE_KEYS)] = b64(rnd.alphanumeric(rnd.int(16, 2048)));
      return { apiVersion: "v1", kind: "Secret", metadata, type: "Opaque", data };
    }
    case "service-account-token":
      // The controller-manager's token controller fills in token, ca.crt and namespace.
      return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { ...metadata, annotations: { "kubernetes.io/service-account.name": "default" } },
        type: "kubernetes.io/service-account-token",
      };
    case "helm-release": {
      const release = planned.release as { name: string; revision: number };
      return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          ...metadata,
          labels: {
            ...metadata.labels,
            name: release.name,
            owner: "helm",
            status: "deployed",
            version: String(release.revision),
          },
        },
        type: "helm.sh/release.v1",
        // Helm stores base64(gzip(JSON)) as the value, which the Secret API encodes once more.
        data: { release: b64(b64(gzipSync(JSON.stringify(helmRelease(planned, release, rnd))))) },
      };
    }
  }
}

const OPAQUE_KEYS = ["username", "password", "token", "url", "config.json", "api-key", "secret", "dsn"];

function brokenPem(kind: BrokenPem, rnd: Random): string {
  switch (kind) {
    case "not-pem":
      return `certificate goes here ${rnd.alphanumeric(40)}\n`;
    case "bad-der":
      return garbagePem("CERTIFICATE", rnd);
    case "truncated":
      return garbagePem("CERTIFICATE", rnd).split("\n").slice(0, 6).join("\n");
    case "empty":
      return "";
  }
}

function garbagePem(label: string, rnd: Random): string {
  const body = rnd.bytes(rnd.int(300, 900)).toString("base64").replace(/.{64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** Helm's release record; the rendered manifest is what makes these secrets large. */
function helmRelease(planned: PlannedSecret, release: { name: string; revision: number }, rnd: Random) {
  const manifest = Array.from(
    { length: rnd.int(4, 30) },
    (_, i) =>
      `---\n# Source: ${release.name}/templates/resource-${i}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${release.name}-${i}\ndata:\n  value: ${rnd.alphanumeric(rnd.int(200, 2000))}\n`,
  ).join("");
  return {
    name: release.name,
    namespace: planned.namespace,
    version: release.revision,
    info: {
      status: "deployed",
      description: release.revision === 1 ? "Install complete" : "Upgrade complete",
    },
    chart: {
      metadata: {
        name: release.name.replace(/-[^-]+$/, ""),
        version: `1.${rnd.int(0, 20)}.${rnd.int(0, 9)}`,
      },
    },
    config: {},
    manifest,
  };
}

export interface SecretsResult {
  namespaces: string[];
  created: Record<SecretKind, number>;
  ms: number;
}

/**
 * Creates the workload through the API server, `concurrency` requests at a time. The names,
 * namespaces, subjects, serials, validity and chain shape follow from the seed; key material and
 * ECDSA signatures are fresh each time (node:crypto cannot be seeded).
 */
export async function createSecrets(
  admin: KubeClient,
  workload: SecretsWorkload,
  concurrency = 16,
): Promise<SecretsResult> {
  const started = performance.now();
  const now = workload.now ?? new Date();
  const plan = planSecrets({ ...workload, now });
  const namespaces = [...new Set(plan.map((p) => p.namespace))].sort();
  const labels = benchLabels(GENERATOR, workload.seed);
  const [pool] = await Promise.all([
    certificatePool(workload.seed, now),
    ensureNamespaces(admin, namespaces, labels),
  ]);
  const created = { tls: 0, opaque: 0, "service-account-token": 0, "helm-release": 0, "broken-tls": 0 };
  const rnd = new Random(workload.seed).fork("bodies");
  await mapLimit(plan, concurrency, async (planned, i) => {
    const body = await secretBody(planned, pool, labels, rnd.fork(String(i)));
    await admin.create(core("secrets", planned.namespace), body);
    created[planned.kind]++;
  });
  return { namespaces, created, ms: performance.now() - started };
}
