import { describe, expect, it } from "vitest";
import { serviceRangeFromCommand } from "./service-cidr.js";

describe("serviceRangeFromCommand", () => {
  it("reads --flag=value and --flag value", () => {
    expect(
      serviceRangeFromCommand([
        "kube-apiserver",
        "--secure-port=6443",
        "--service-cluster-ip-range=10.64.0.0/12",
      ]),
    ).toEqual(["10.64.0.0/12"]);
    expect(serviceRangeFromCommand(["kube-apiserver", "--service-cluster-ip-range", "10.64.0.0/12"])).toEqual(
      ["10.64.0.0/12"],
    );
    expect(serviceRangeFromCommand(["kube-apiserver"])).toEqual([]);
  });
});
