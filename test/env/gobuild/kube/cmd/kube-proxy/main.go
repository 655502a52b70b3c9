// kube-proxy for the kubemend test control plane, built from the k8s.io/kubernetes module. The
// binary-install cluster runs it as a host process in its own network namespace (nftables mode).
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	"k8s.io/kubernetes/cmd/kube-proxy/app"
)

func main() {
	os.Exit(cli.Run(app.NewProxyCommand()))
}
