package main

import (
	"context"
	"fmt"
	"net/netip"
	"sync"

	"google.golang.org/grpc"
	kubeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	fakeremote "k8s.io/cri-client/pkg/fake"
	criutil "k8s.io/cri-client/pkg/util"
)

// podNetwork is kubemark's fake CRI with the two answers of a real runtime's network that the
// kubelet reports: no pod IP for a host-network sandbox (the kubelet then reports the node's
// addresses, as on a real node) and, for the others, addresses of their own from the node's pod
// CIDR instead of one fixed address for every pod. No address answers: nothing runs.
type podNetwork struct {
	*fakeremote.RemoteRuntime
	mu   sync.Mutex
	cidr netip.Prefix
	next netip.Addr
}

func (p *podNetwork) UpdateRuntimeConfig(ctx context.Context, req *kubeapi.UpdateRuntimeConfigRequest) (*kubeapi.UpdateRuntimeConfigResponse, error) {
	if cidr, err := netip.ParsePrefix(req.GetRuntimeConfig().GetNetworkConfig().GetPodCidr()); err == nil {
		p.mu.Lock()
		p.cidr, p.next = cidr.Masked(), cidr.Masked().Addr().Next()
		p.mu.Unlock()
	}
	return p.RemoteRuntime.UpdateRuntimeConfig(ctx, req)
}

func (p *podNetwork) RunPodSandbox(ctx context.Context, req *kubeapi.RunPodSandboxRequest) (*kubeapi.RunPodSandboxResponse, error) {
	resp, err := p.RemoteRuntime.RunPodSandbox(ctx, req)
	if err != nil {
		return resp, err
	}
	hostNetwork := req.GetConfig().GetLinux().GetSecurityContext().GetNamespaceOptions().GetNetwork() == kubeapi.NamespaceMode_NODE
	network := &kubeapi.PodSandboxNetworkStatus{}
	if !hostNetwork {
		p.mu.Lock()
		if !p.cidr.IsValid() || !p.cidr.Contains(p.next) {
			p.mu.Unlock()
			return resp, nil // no pod CIDR yet: the fake's fixed address
		}
		network.Ip = p.next.String()
		p.next = p.next.Next()
		p.mu.Unlock()
	}
	fake := p.RuntimeService
	fake.Lock()
	defer fake.Unlock()
	if sandbox, ok := fake.Sandboxes[resp.PodSandboxId]; ok {
		sandbox.Network = network
	}
	return resp, nil
}

// serve answers the runtime and image services on endpoint until stop is called.
func serve(endpoint string, runtime *fakeremote.RemoteRuntime) (stop func(), err error) {
	listener, err := criutil.CreateListener(endpoint)
	if err != nil {
		return nil, fmt.Errorf("fake CRI runtime: listen on %s: %w", endpoint, err)
	}
	server := grpc.NewServer()
	kubeapi.RegisterRuntimeServiceServer(server, &podNetwork{RemoteRuntime: runtime})
	kubeapi.RegisterImageServiceServer(server, runtime)
	runtime.RuntimeService.FakeStatus = &kubeapi.RuntimeStatus{Conditions: []*kubeapi.RuntimeCondition{
		{Type: kubeapi.RuntimeReady, Status: true},
		{Type: kubeapi.NetworkReady, Status: true},
	}}
	go func() { _ = server.Serve(listener) }()
	return server.Stop, nil
}
