import { describe, expect, it } from "vitest";
import { loadTls } from "./collect.js";

describe("loadTls", () => {
  it("names an unreadable file, how it was found and the node it lives on", () => {
    expect(() =>
      loadTls({
        endpoints: ["https://10.0.0.1:2379"],
        endpointsFrom: "etcd mirror pods etcd-cp-1",
        ca: { path: "/nonexistent/pki/etcd/ca.crt", from: "--trusted-ca-file of etcd-cp-1", node: "cp-1" },
      }),
    ).toThrow(
      "cannot read the etcd CA /nonexistent/pki/etcd/ca.crt (--trusted-ca-file of etcd-cp-1, on node cp-1): no such file here",
    );
  });

  it("needs no files for plain-HTTP endpoints, and a CA for TLS ones", () => {
    expect(loadTls({ endpoints: ["http://127.0.0.1:2379"], endpointsFrom: "--endpoints" })).toBeUndefined();
    expect(() => loadTls({ endpoints: ["https://127.0.0.1:2379"], endpointsFrom: "--endpoints" })).toThrow(
      "no etcd CA",
    );
  });
});
