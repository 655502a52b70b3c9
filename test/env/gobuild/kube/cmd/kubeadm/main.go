// kubeadm for the kubemend test environment, built from the k8s.io/kubernetes module: test/env
// makes each kubeadm cluster's PKI, kubeconfigs, static pod manifests, bootstrap token and RBAC
// with it, and the e2e tests use `kubeadm certs check-expiration` as the peer of `kubectl certs`.
package main

import (
	"k8s.io/kubernetes/cmd/kubeadm/app"
	kubeadmerrors "k8s.io/kubernetes/cmd/kubeadm/app/util/errors"
)

func main() {
	kubeadmerrors.HandleError(app.Run())
}
