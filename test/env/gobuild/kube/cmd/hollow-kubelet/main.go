// hollow-kubelet: the real kubelet (k8s.io/kubernetes/cmd/kubelet/app.Run) with kubemark's fakes
// below it: a fake CRI runtime and image service on a private socket, a fake cAdvisor, a stub
// container manager and fake mounts. Everything the API server sees is the real kubelet's: TLS
// bootstrap and client certificate rotation, node registration, leases and status, the static
// pods it reads from staticPodPath and their mirror pods, serving-certificate CSRs
// (serverTLSBootstrap) or the legacy self-signed serving certificate, and authenticated :10250.
//
// Flags are the real kubelet's names for what test/env sets; everything else comes from the
// KubeletConfiguration file given with --config.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	utilfeature "k8s.io/apiserver/pkg/util/feature"
	fakeremote "k8s.io/cri-client/pkg/fake"
	"k8s.io/klog/v2"
	kubeletapp "k8s.io/kubernetes/cmd/kubelet/app"
	"k8s.io/kubernetes/cmd/kubelet/app/options"
	cadvisortest "k8s.io/kubernetes/pkg/kubelet/cadvisor/testing"
	"k8s.io/kubernetes/pkg/kubelet/cm"
	"k8s.io/kubernetes/pkg/kubelet/kubeletconfig/configfiles"
	"k8s.io/kubernetes/pkg/kubemark"
	utilfs "k8s.io/kubernetes/pkg/util/filesystem"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "hollow-kubelet: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	klog.InitFlags(nil)
	configFile := flag.String("config", "", "KubeletConfiguration file (kubelet.config.k8s.io/v1beta1)")
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig the kubelet writes after TLS bootstrap and then uses")
	bootstrap := flag.String("bootstrap-kubeconfig", "", "bootstrap kubeconfig (a bootstrap token)")
	certDir := flag.String("cert-dir", "", "where the kubelet keeps its client and serving certificates")
	rootDir := flag.String("root-dir", "", "the kubelet's root directory")
	hostname := flag.String("hostname-override", "", "the node name")
	nodeIP := flag.String("node-ip", "", "the node's InternalIP; the kubelet also binds :10250 and healthz there")
	nodeLabels := flag.String("node-labels", "", "labels to register the node with, k=v,k=v")
	flag.Parse()
	if *configFile == "" || *kubeconfig == "" || *rootDir == "" || *hostname == "" || *nodeIP == "" {
		return fmt.Errorf("--config, --kubeconfig, --root-dir, --hostname-override and --node-ip are required")
	}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()

	loader, err := configfiles.NewFsLoader(&utilfs.DefaultFs{}, *configFile)
	if err != nil {
		return err
	}
	config, err := loader.Load(ctx)
	if err != nil {
		return err
	}
	flags := options.NewKubeletFlags()
	flags.KubeConfig = *kubeconfig
	flags.BootstrapKubeconfig = *bootstrap
	flags.CertDirectory = *certDir
	flags.RootDirectory = *rootDir
	flags.HostnameOverride = *hostname
	flags.NodeIP = *nodeIP
	flags.NodeLabels = map[string]string{}
	for _, kv := range strings.Split(*nodeLabels, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			flags.NodeLabels[k] = v
		}
	}

	// The fake CRI answers on a socket of its own; the kubelet dials it like containerd's.
	endpoint, err := fakeremote.GenerateEndpoint()
	if err != nil {
		return err
	}
	runtime := fakeremote.NewFakeRemoteRuntime()
	stop, err := serve(endpoint, runtime)
	if err != nil {
		return err
	}
	defer stop()
	// The kubelet refuses an image status without a size (kubemark uses the host's image service).
	runtime.ImageService.SetFakeImageSize(64 << 20)
	config.ContainerRuntimeEndpoint = endpoint
	config.ImageServiceEndpoint = endpoint
	// No cgroups, swap or kernel tuning belong to a hollow node: the host is shared.
	config.CgroupsPerQOS = false
	config.CgroupRoot = ""
	config.EnforceNodeAllocatable = nil
	config.KubeletCgroups = ""
	config.SystemCgroups = ""
	config.ProtectKernelDefaults = false
	config.FailSwapOn = false
	// Many nodes share the namespace: bind to the node's own address, never 0.0.0.0 or 127.0.0.1.
	config.Address = *nodeIP
	config.HealthzBindAddress = *nodeIP
	config.ReadOnlyPort = 0

	hollow := kubemark.NewHollowKubelet(flags, config, nil, nil,
		&cadvisortest.Fake{NodeName: *hostname}, nil, nil, cm.NewStubContainerManager())
	deps := hollow.KubeletDeps
	// The kubelet builds its own clients: TLS bootstrap and the rotating client certificate.
	deps.KubeClient, deps.HeartbeatClient, deps.EventClient = nil, nil, nil
	deps.RemoteRuntimeService, deps.RemoteImageService = nil, nil
	// kubemark leaves TLS off; the real kubelet serves :10250 and manages its serving certificate.
	if deps.TLSOptions, err = kubeletapp.InitializeTLS(ctx, flags, config); err != nil {
		return err
	}
	server := &options.KubeletServer{KubeletFlags: *flags, KubeletConfiguration: *config}
	return kubeletapp.Run(ctx, server, deps, utilfeature.DefaultFeatureGate)
}
