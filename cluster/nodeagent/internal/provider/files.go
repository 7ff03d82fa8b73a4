package provider

import (
	"fmt"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/ocispec"
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

// environment is the container's resolved env with the API server's real address and the pod's
// IP: the pod controller resolved fieldRefs to status.podIP/hostIP before the pod had a status.
func (p *Provider) environment(pod *corev1.Pod, c *corev1.Container) []corev1.EnvVar {
	env := ocispec.KubernetesService(c.Env, p.kubernetesServiceIP(), p.opts.APIServerHost, p.opts.APIServerPort)
	live, err := p.opts.Pods.Pods(pod.Namespace).Get(pod.Name)
	if err != nil || live.UID != pod.UID {
		return env
	}
	return FillAddresses(env, declaredEnv(live, c.Name), p.opts.NodeIP)
}

func declaredEnv(pod *corev1.Pod, container string) []corev1.EnvVar {
	for _, cs := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range cs {
			if c.Name == container {
				return c.Env
			}
		}
	}
	return nil
}

// FillAddresses sets the variables declared from status.podIP(s) or status.hostIP(s) to ip.
func FillAddresses(resolved, declared []corev1.EnvVar, ip string) []corev1.EnvVar {
	addr := map[string]bool{}
	for _, e := range declared {
		if e.ValueFrom == nil || e.ValueFrom.FieldRef == nil {
			continue
		}
		switch e.ValueFrom.FieldRef.FieldPath {
		case "status.podIP", "status.podIPs", "status.hostIP", "status.hostIPs":
			addr[e.Name] = true
		}
	}
	out := append([]corev1.EnvVar(nil), resolved...)
	for i := range out {
		if addr[out[i].Name] && out[i].Value == "" {
			out[i].Value = ip
		}
	}
	return out
}
