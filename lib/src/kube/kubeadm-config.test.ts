import { describe, expect, it } from "vitest";
import { parseClusterConfiguration, serviceSubnets } from "./kubeadm-config.js";

// As `kubeadm init` writes it (v1beta4), dual-stack.
const KUBEADM = `apiServer:
  certSANs:
  - 10.2.1.139
apiVersion: kubeadm.k8s.io/v1beta4
clusterName: prod-east
controlPlaneEndpoint: 10.2.1.139:6443
kind: ClusterConfiguration
networking:
  dnsDomain: cluster.local
  podSubnet: 10.244.0.0/16
  serviceSubnet: 10.96.0.0/12,fd00:10:96::/108
`;

describe("parseClusterConfiguration", () => {
  it("reads the fields kubemend uses", () => {
    const config = parseClusterConfiguration(KUBEADM);
    expect(config?.clusterName).toBe("prod-east");
    expect(config?.controlPlaneEndpoint).toBe("10.2.1.139:6443");
    expect(config?.apiServer?.certSANs).toEqual(["10.2.1.139"]);
    expect(serviceSubnets(config)).toEqual(["10.96.0.0/12", "fd00:10:96::/108"]);
  });

  it("gives undefined for text that is not a mapping, and no subnets without networking", () => {
    expect(parseClusterConfiguration("a: [unclosed")).toBeUndefined();
    expect(parseClusterConfiguration("- a list")).toBeUndefined();
    expect(serviceSubnets(parseClusterConfiguration("networking:\n  podSubnet: 10.244.0.0/16\n"))).toEqual(
      [],
    );
    expect(serviceSubnets(undefined)).toEqual([]);
  });
});
