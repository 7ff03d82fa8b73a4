package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/downward"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/envvars"
)

// podFiles are the host files mounted at /etc/hosts, /etc/hostname and /etc/resolv.conf.
type podFiles struct {
	hosts, hostname, resolvConf string
}

// HostResolvConf is copied into every pod: there is no cluster DNS, so pods resolve names as the
// host does.
var HostResolvConf = "/etc/resolv.conf"

func writePodFiles(dir, hostname string) (podFiles, error) {
	f := podFiles{
		hosts:      filepath.Join(dir, "etc-hosts"),
		hostname:   filepath.Join(dir, "etc-hostname"),
		resolvConf: filepath.Join(dir, "etc-resolv.conf"),
	}
	hosts := fmt.Sprintf("# Kubernetes-managed hosts file (node agent).\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\t%s\n", hostname)
	resolv, err := os.ReadFile(HostResolvConf)
	if err != nil {
		resolv = nil // no resolver configured on the host: none in the pod either
	}
	for path, data := range map[string][]byte{f.hosts: []byte(hosts), f.hostname: []byte(hostname + "\n"), f.resolvConf: resolv} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return podFiles{}, err
		}
	}
	return f, nil
}

// environment resolves the container's env as the kubelet does (see package envvars).
func (p *Provider) environment(ctx context.Context, pod *corev1.Pod, c *corev1.Container) ([]corev1.EnvVar, error) {
	var services []*corev1.Service
	if p.opts.Services != nil {
		services, _ = p.opts.Services.Services(pod.Namespace).List(labels.Everything())
	}
	return envvars.Resolve(ctx, p.opts.Kube, envvars.Input{
		Pod:       downward.Pod{Pod: pod, PodIP: p.opts.NodeIP, HostIP: p.opts.NodeIP, NodeAllocatable: p.opts.NodeAllocatable},
		Container: c, Services: services,
		APIServerHost: p.opts.APIServerHost, APIServerPort: p.opts.APIServerPort,
	})
}
