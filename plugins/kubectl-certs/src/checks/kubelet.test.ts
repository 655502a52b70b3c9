import { beforeAll, describe, expect, it } from "vitest";
import type { NodeServing } from "../model.js";
import { type Issued, issue } from "../testing.js";
import { checkKubelets } from "./kubelet.js";

const addresses = [
  { type: "InternalIP", address: "10.2.1.152" },
  { type: "Hostname", address: "worker-2" },
];

describe("checkKubelets", () => {
  let clusterCa: Issued;
  let legacy: Issued[];
  let issued: Issued;
  beforeAll(async () => {
    clusterCa = await issue({ cn: "kubernetes", ca: true, to: 3650 });
    // client-go's GenerateSelfSignedCertKey: a throwaway CA and a leaf for the hostname only.
    const ownCa = await issue({ cn: "worker-2-ca@1700000000", ca: true });
    legacy = [await issue({ cn: "worker-2@1700000000", sans: { dns: ["worker-2"] }, signer: ownCa }), ownCa];
    issued = await issue({
      cn: "system:node:worker-2",
      o: ["system:nodes"],
      sans: { dns: ["worker-2"], ip: ["10.2.1.152"] },
      signer: clusterCa,
    });
  });

  const node = (over: Partial<NodeServing>): NodeServing => ({
    name: "worker-2",
    addresses,
    endpoint: "10.2.1.152:10250",
    pendingCsrs: [],
    ...over,
  });

  it("S2: the legacy certificate is self-signed and lacks the node's IP", () => {
    const findings = checkKubelets([node({ chain: legacy.map((c) => c.info) })], [clusterCa.info]);
    expect(findings.map((f) => f.code)).toEqual(["KUBELET_SELF_SIGNED", "KUBELET_NO_IP_SAN"]);
    expect(findings[1]?.evidence?.missing).toEqual(["10.2.1.152"]);
    expect(findings[1]?.message).toContain('"x509: cannot validate certificate for 10.2.1.152"');
    expect(findings[0]?.next).toContain("serverTLSBootstrap: true");
  });

  it("accepts a certificate from the cluster CA that covers every address", () => {
    expect(checkKubelets([node({ chain: [issued.info] })], [clusterCa.info])).toEqual([]);
  });

  it("names each Pending serving CSR, and reports the unanswered handshake as info", () => {
    const findings = checkKubelets(
      [
        node({
          chain: undefined,
          error: "the server ended the TLS handshake (alert: handshake failure)",
          pendingCsrs: [{ name: "csr-jbphr", created: "2026-06-01T00:00:00Z" }],
        }),
      ],
      [clusterCa.info],
    );
    expect(findings.map((f) => [f.code, f.severity, f.evidence?.csr])).toEqual([
      ["KUBELET_SERVING_CSR_PENDING", "warning", "csr-jbphr"],
      ["KUBELET_UNREACHABLE", "info", undefined],
    ]);
    expect(findings[0]?.next).toContain("kubectl certificate approve csr-jbphr");
  });

  it("reports a missing hostname as SAN_MISSING", async () => {
    const ipOnly = await issue({
      cn: "system:node:worker-2",
      sans: { ip: ["10.2.1.152"] },
      signer: clusterCa,
    });
    const findings = checkKubelets([node({ chain: [ipOnly.info] })], [clusterCa.info]);
    expect(findings.map((f) => [f.code, f.evidence?.missing])).toEqual([["SAN_MISSING", ["worker-2"]]]);
  });
});
