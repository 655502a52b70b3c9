import type { KeyObject } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificate, type GeneratedKey, generateKey } from "../x509/issue.js";
import { probeTls } from "./tls-probe.js";

const DAY = 86_400_000;

interface Issued {
  pem: string;
  key: GeneratedKey;
  serial: string;
}

let serials = 0;
async function issue(spec: {
  cn: string;
  ca?: boolean;
  ip?: string[];
  signer?: Issued;
  to?: number;
}): Promise<Issued> {
  const key = await generateKey("ecdsa-p256");
  const serial = `0${++serials}`;
  const pem = await createCertificate({
    subject: { cn: spec.cn },
    ...(spec.ip && { sans: { ip: spec.ip } }),
    keyUsages: spec.ca ? ["digital signature", "cert sign"] : ["digital signature"],
    extKeyUsages: spec.ca ? [] : ["server auth"],
    isCA: spec.ca ?? false,
    notBefore: new Date(Date.now() - 400 * DAY),
    notAfter: new Date(Date.now() + (spec.to ?? 365) * DAY),
    serial,
    publicKey: spec.signer ? key.publicKey : (key.privateKey as KeyObject),
    ...(spec.signer && { signer: { certPem: spec.signer.pem, key: spec.signer.key.privateKey } }),
  });
  return { pem, key, serial };
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)),
  );
}

describe("probeTls", () => {
  let root: Issued;
  let intermediate: Issued;
  let leaf: Issued;
  let tlsServer: tls.Server;
  let silent: net.Server;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    root = await issue({ cn: "root", ca: true });
    intermediate = await issue({ cn: "intermediate", ca: true, signer: root });
    leaf = await issue({ cn: "localhost", ip: ["127.0.0.1"], signer: intermediate, to: -1 });
    tlsServer = tls.createServer({ cert: `${leaf.pem}\n${intermediate.pem}`, key: leaf.key.privateKeyPem });
    // Accepts the connection and never answers: a kubelet behind a black-holing firewall.
    silent = net.createServer((socket) => sockets.push(socket));
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    tlsServer?.close();
    silent?.close();
  });

  it("returns the presented chain, leaf first, even when the leaf has expired", async () => {
    const port = await listen(tlsServer);
    const result = await probeTls({ host: "127.0.0.1", port, timeoutMs: 5000 });
    if (!result.ok) throw new Error(result.error);
    expect(result.endpoint).toBe(`127.0.0.1:${port}`);
    expect(result.chain.map((c) => c.subject.dn)).toEqual(["CN=localhost", "CN=intermediate"]);
    expect(result.chain[0]?.serial).toBe(leaf.serial);
    expect(result.chain[0]?.notAfter.getTime()).toBeLessThan(Date.now());
    expect(result.unparsable).toEqual([]);
  });

  it("gives up on a server that never answers", async () => {
    const port = await listen(silent);
    const result = await probeTls({ host: "127.0.0.1", port, timeoutMs: 300 });
    expect(result).toEqual({
      ok: false,
      endpoint: `127.0.0.1:${port}`,
      error: "no TLS handshake within 300ms",
    });
  });

  it("reports a refused connection", async () => {
    const closed = net.createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const result = await probeTls({ host: "127.0.0.1", port, timeoutMs: 5000 });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^ECONNREFUSED: /);
  });
});
