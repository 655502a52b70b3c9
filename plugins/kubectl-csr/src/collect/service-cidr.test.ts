import { describe, expect, it } from "vitest";
import { serviceRangeFromCommand, serviceSubnetFromKubeadmConfig } from "./service-cidr.js";

describe("serviceSubnetFromKubeadmConfig", () => {
  it("reads networking.serviceSubnet, dual-stack too", () => {
    const yaml = `apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
networking:
  dnsDomain: cluster.local
  podSubnet: 10.244.0.0/16
  serviceSubnet: "10.96.0.0/12,fd00:10:96::/108"
`;
    expect(serviceSubnetFromKubeadmConfig(yaml)).toEqual(["10.96.0.0/12", "fd00:10:96::/108"]);
  });

  it("finds nothing in a configuration without it", () => {
    expect(serviceSubnetFromKubeadmConfig("networking:\n  podSubnet: 10.244.0.0/16\n")).toEqual([]);
  });
});

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
