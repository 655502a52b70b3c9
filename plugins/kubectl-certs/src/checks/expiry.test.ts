import { beforeAll, describe, expect, it } from "vitest";
import { DAY, found, type Issued, issue, thresholds } from "../testing.js";
import { checkExpiry } from "./expiry.js";

describe("checkExpiry", () => {
  let ca: Issued;
  beforeAll(async () => {
    ca = await issue({ cn: "root", ca: true, to: 3650 });
  });

  it("flags nothing for a certificate with more than --warn-within left", async () => {
    const cert = await issue({ cn: "web", signer: ca, to: 31 });
    expect(checkExpiry([found(cert)], thresholds)).toEqual([]);
  });

  it("warns within --warn-within and is critical within --critical-within", async () => {
    const [warn, crit] = await Promise.all([
      issue({ cn: "warn", signer: ca, to: 20 }),
      issue({ cn: "crit", signer: ca, to: 3 }),
    ]);
    const findings = checkExpiry([found(warn), found(crit)], thresholds);
    expect(findings.map((f) => [f.code, f.severity, f.message])).toEqual([
      [
        "CERT_EXPIRING",
        "warning",
        "secret/ns/web[tls.crt]: CN=warn expires in 20d (2026-06-21T00:00:00.000Z)",
      ],
      [
        "CERT_EXPIRING",
        "critical",
        "secret/ns/web[tls.crt]: CN=crit expires in 3d (2026-06-04T00:00:00.000Z)",
      ],
    ]);
    expect(findings[0]?.evidence).toMatchObject({
      serial: warn.info.serial,
      notAfter: "2026-06-21T00:00:00.000Z",
    });
  });

  it("names an expired kubeadm file with the exact kubeadm certs renew and the static-pod restart", async () => {
    const cert = await issue({ cn: "kube-apiserver", signer: ca, from: -400, to: -2 });
    const [finding] = checkExpiry(
      [
        found(cert, {
          source: "pki",
          location: "/etc/kubernetes/pki/apiserver.crt",
          holder: { file: "/etc/kubernetes/pki/apiserver.crt" },
          kubeadmName: "apiserver.crt",
        }),
      ],
      thresholds,
    );
    expect(finding?.code).toBe("CERT_EXPIRED");
    expect(finding?.severity).toBe("critical");
    expect(finding?.message).toContain("expired 2d ago");
    expect(finding?.next).toMatch(
      /^on each control-plane node: kubeadm certs renew apiserver, then restart kube-apiserver: /,
    );
    expect(finding?.next).toContain("deleting the mirror pod with kubectl does not restart a static pod");
  });

  it("tells admin.conf to be copied to ~/.kube/config after renewal", async () => {
    const cert = await issue({ cn: "kubernetes-admin", signer: ca, usages: ["client auth"], to: 2 });
    const [finding] = checkExpiry(
      [found(cert, { source: "pki", location: "/etc/kubernetes/admin.conf", kubeadmName: "admin.conf" })],
      thresholds,
    );
    expect(finding?.next).toBe(
      "on each control-plane node: kubeadm certs renew admin.conf, then copy /etc/kubernetes/admin.conf to ~/.kube/config",
    );
  });

  it("calls an expiring CA CA_EXPIRING and an expired webhook caBundle CABUNDLE_EXPIRED", async () => {
    const soon = await issue({ cn: "soon-ca", ca: true, to: 10 });
    const gone = await issue({ cn: "gone-ca", ca: true, from: -100, to: -1 });
    const findings = checkExpiry(
      [
        found(soon, { source: "ca", role: "trust" }),
        found(gone, {
          source: "webhooks",
          role: "trust",
          location: "validatingwebhookconfiguration/policy[check.caBundle]",
          holder: { kind: "ValidatingWebhookConfiguration", name: "policy" },
        }),
      ],
      thresholds,
    );
    expect(findings.map((f) => f.code)).toEqual(["CA_EXPIRING", "CABUNDLE_EXPIRED"]);
    expect(findings[1]?.next).toBe(
      "put the CA that signs the service's serving certificate into the caBundle of validatingwebhookconfiguration/policy",
    );
  });

  it("reports a certificate that is not valid yet, and an unparsable value without its content", async () => {
    const future = await issue({ cn: "future", signer: ca, from: 2, to: 400 });
    const findings = checkExpiry(
      [found(future), { ...found(future), cert: undefined, problem: "not a valid X.509 certificate" }],
      thresholds,
    );
    expect(findings.map((f) => [f.code, f.severity])).toEqual([
      ["CERT_NOT_YET_VALID", "critical"],
      ["CERT_UNPARSABLE", "warning"],
    ]);
    expect(findings[1]?.message).toBe("secret/ns/web[tls.crt]: not a valid X.509 certificate");
  });

  it("uses the thresholds it is given", async () => {
    const cert = await issue({ cn: "web", signer: ca, to: 50 });
    const wide = { ...thresholds, warnWithinMs: 60 * DAY, criticalWithinMs: 55 * DAY };
    expect(checkExpiry([found(cert)], wide).map((f) => f.severity)).toEqual(["critical"]);
  });
});

describe("checkExpiry, findings in full", () => {
  let ca: Issued;
  beforeAll(async () => {
    ca = await issue({ cn: "root", ca: true, to: 3650 });
  });

  it("CERT_EXPIRING with every field and the evidence of the certificate", async () => {
    const cert = await issue({ cn: "web", signer: ca, to: 30, serial: "1f" });
    expect(checkExpiry([found(cert)], thresholds)).toEqual([
      {
        subject: { kind: "Secret", namespace: "ns", name: "web" },
        evidence: {
          source: "secrets",
          location: "secret/ns/web[tls.crt]",
          subject: "CN=web",
          issuer: "CN=root",
          serial: "1f",
          notBefore: "2026-05-31T00:00:00.000Z",
          notAfter: "2026-07-01T00:00:00.000Z",
        },
        code: "CERT_EXPIRING",
        severity: "warning",
        message: "secret/ns/web[tls.crt]: CN=web expires in 30d (2026-07-01T00:00:00.000Z)",
        next: "renew it and update the secret: kubectl create secret tls web -n ns --cert=<crt> --key=<key> --dry-run=client -o yaml | kubectl apply -f - (with cert-manager: cmctl renew -n ns web)",
      },
    ]);
  });

  it("critical at exactly --critical-within, and expired at exactly notAfter", async () => {
    const [edge, now] = await Promise.all([
      issue({ cn: "edge", signer: ca, to: 7 }),
      issue({ cn: "now", signer: ca, from: -10, to: 0 }),
    ]);
    expect(
      checkExpiry([found(edge), found(now)], thresholds).map((f) => [f.code, f.severity, f.message]),
    ).toEqual([
      [
        "CERT_EXPIRING",
        "critical",
        "secret/ns/web[tls.crt]: CN=edge expires in 7d (2026-06-08T00:00:00.000Z)",
      ],
      [
        "CERT_EXPIRED",
        "critical",
        "secret/ns/web[tls.crt]: CN=now expired 0s ago (2026-06-01T00:00:00.000Z)",
      ],
    ]);
  });

  it("valid from exactly now is valid", async () => {
    const cert = await issue({ cn: "fresh", signer: ca, from: 0, to: 365 });
    expect(checkExpiry([found(cert)], thresholds)).toEqual([]);
  });

  it("CERT_NOT_YET_VALID and CERT_UNPARSABLE in full", async () => {
    const future = await issue({ cn: "future", signer: ca, from: 2, to: 400, serial: "2a" });
    const [notYet, unparsable, unknown] = checkExpiry(
      [
        found(future),
        { ...found(future), cert: undefined, problem: "not a valid X.509 certificate" },
        { ...found(future), cert: undefined },
      ],
      thresholds,
    );
    expect(notYet).toEqual({
      subject: { kind: "Secret", namespace: "ns", name: "web" },
      evidence: {
        source: "secrets",
        location: "secret/ns/web[tls.crt]",
        subject: "CN=future",
        issuer: "CN=root",
        serial: "2a",
        notBefore: "2026-06-03T00:00:00.000Z",
        notAfter: "2027-07-06T00:00:00.000Z",
      },
      code: "CERT_NOT_YET_VALID",
      severity: "critical",
      message: "secret/ns/web[tls.crt]: CN=future is not valid before 2026-06-03T00:00:00.000Z",
      next: "check the clock of the machine that issued it and of this one (timedatectl), or reissue it",
    });
    expect(unparsable).toEqual({
      subject: { kind: "Secret", namespace: "ns", name: "web" },
      evidence: {
        source: "secrets",
        location: "secret/ns/web[tls.crt]",
        problem: "not a valid X.509 certificate",
      },
      code: "CERT_UNPARSABLE",
      severity: "warning",
      message: "secret/ns/web[tls.crt]: not a valid X.509 certificate",
      next: "replace the value with a PEM certificate, or remove it",
    });
    expect(unknown?.message).toBe("secret/ns/web[tls.crt]: unparsable");
  });

  it("an expiring CA is a warning within --warn-within and critical within --critical-within", async () => {
    const month = await issue({ cn: "month-ca", ca: true, to: 20 });
    const week = await issue({ cn: "week-ca", ca: true, to: 3 });
    const findings = checkExpiry(
      [found(month, { location: "a" }), found(week, { location: "b" })],
      thresholds,
    );
    expect(findings.map((f) => [f.code, f.severity, f.evidence?.location])).toEqual([
      ["CA_EXPIRING", "warning", "a"],
      ["CA_EXPIRING", "critical", "b"],
    ]);
  });

  it("a caBundle mid-rotation: the expired CA is a warning while a valid CA beside it verifies, critical once none is valid", async () => {
    const gone = await issue({ cn: "old-ca", ca: true, from: -400, to: -1 });
    const current = await issue({ cn: "new-ca", ca: true, from: -10, to: 3000 });
    const notYet = await issue({ cn: "next-ca", ca: true, from: 5, to: 3000 });
    const webhook = (cert: Issued, n: number) =>
      found(cert, {
        source: "webhooks",
        role: "trust",
        location: `validatingwebhookconfiguration/policy[check.caBundle]#${n}`,
        holder: { kind: "ValidatingWebhookConfiguration", name: "policy" },
      });
    const rotating = checkExpiry([webhook(gone, 0), webhook(current, 1)], thresholds);
    expect(rotating.map((f) => [f.code, f.severity])).toEqual([["CABUNDLE_EXPIRED", "warning"]]);
    expect(rotating[0]?.message).toMatch(/; a valid CA beside it in the bundle still verifies$/);
    // A CA that is not valid yet verifies nothing, nor does a valid CA in another bundle.
    const other = found(current.info, {
      source: "webhooks",
      role: "trust",
      location: "validatingwebhookconfiguration/other[check.caBundle]",
    });
    for (const certs of [[webhook(gone, 0)], [webhook(gone, 0), other]]) {
      const lone = checkExpiry(certs, thresholds);
      expect(lone.map((f) => [f.code, f.severity])).toEqual([["CABUNDLE_EXPIRED", "critical"]]);
    }
    const early = checkExpiry([webhook(gone, 0), webhook(notYet, 1)], thresholds);
    expect(early.filter((f) => f.code === "CABUNDLE_EXPIRED").map((f) => f.severity)).toEqual(["critical"]);
  });

  it("an expired caBundle is CABUNDLE_EXPIRED only for the trust of webhooks, APIServices and secrets", async () => {
    const gone = await issue({ cn: "gone-ca", ca: true, from: -100, to: -1 });
    const code = (over: Parameters<typeof found>[1]) => checkExpiry([found(gone, over)], thresholds)[0]?.code;
    expect(code({ source: "webhooks", role: "trust" })).toBe("CABUNDLE_EXPIRED");
    expect(code({ source: "apiservices", role: "trust" })).toBe("CABUNDLE_EXPIRED");
    expect(code({ source: "secrets", role: "trust" })).toBe("CABUNDLE_EXPIRED");
    expect(code({ source: "secrets", role: "leaf" })).toBe("CERT_EXPIRED");
    expect(code({ source: "ca", role: "trust" })).toBe("CERT_EXPIRED");
    expect(code({ source: "nodes", role: "trust" })).toBe("CERT_EXPIRED");
  });
});
