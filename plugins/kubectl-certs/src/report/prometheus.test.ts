import { beforeAll, describe, expect, it } from "vitest";
import { found, type Issued, issue, NOW } from "../testing.js";
import { renderPrometheus } from "./prometheus.js";

describe("renderPrometheus", () => {
  let cert: Issued;
  beforeAll(async () => {
    const ca = await issue({ cn: "root", o: ["Example"], ca: true });
    cert = await issue({ cn: 'we"b', signer: ca, serial: "0c", to: 10 });
  });

  it("prints x509-certificate-exporter's metrics with its label names", () => {
    const text = renderPrometheus(
      [
        found(cert),
        { ...found(cert), cert: undefined, problem: "bad" },
        found(cert, { holder: { file: "/p/a.crt" }, location: "/p/a.crt", source: "pki" }),
      ],
      NOW,
    );
    const notAfter = Math.floor(cert.info.notAfter.getTime() / 1000);
    expect(text).toContain("# TYPE x509_cert_not_after gauge\n");
    expect(text).toContain(
      `x509_cert_not_after{source="secrets",location="secret/ns/web[tls.crt]",secret_namespace="ns",secret_name="web",secret_key="tls.crt",serial_number="0c",subject_CN="we\\"b",issuer_CN="root",issuer_O="Example"} ${notAfter}\n`,
    );
    expect(text).toContain(
      `x509_cert_not_after{source="pki",location="/p/a.crt",filepath="/p/a.crt",filename="a.crt",serial_number="0c",subject_CN="we\\"b",issuer_CN="root",issuer_O="Example"} ${notAfter}\n`,
    );
    expect(text).toMatch(/^x509_cert_expired\{source="secrets",.*\} 0$/m);
    expect(text.endsWith("x509_read_errors 1\n")).toBe(true);
  });
});
