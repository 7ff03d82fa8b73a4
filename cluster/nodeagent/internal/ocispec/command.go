// Package ocispec turns a pod's container and its image into an OCI runtime spec for runc: the
// command (Kubernetes' rules for command/args over the image's entrypoint/cmd), the environment,
// the user, the working directory, capabilities, mounts and resource limits. Everything here is
// pure except reading the image's /etc/passwd and /etc/group.
package ocispec

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/imagestore"
)

// ErrNoCommand is returned when neither the pod nor the image says what to run.
var ErrNoCommand = errors.New("no command specified")

// Command is what the container runs, by Kubernetes' rules: a command replaces the image's
// entrypoint and cmd; args alone replace only the cmd.
func Command(c *corev1.Container, img imagestore.Config) ([]string, error) {
	var argv []string
	switch {
	case len(c.Command) > 0:
		argv = append(append(argv, c.Command...), c.Args...)
	case len(c.Args) > 0:
		argv = append(append(argv, img.Entrypoint...), c.Args...)
	default:
		argv = append(append(argv, img.Entrypoint...), img.Cmd...)
	}
	if len(argv) == 0 {
		return nil, ErrNoCommand
	}
	return argv, nil
}

// WorkingDir is the container's working directory if set, else the image's, else "/".
func WorkingDir(c *corev1.Container, img imagestore.Config) string {
	switch {
	case c.WorkingDir != "":
		return c.WorkingDir
	case img.WorkingDir != "":
		return img.WorkingDir
	}
	return "/"
}

// DefaultPath is set when neither the image nor the pod gives PATH, as container runtimes do.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Env merges the image's environment under the container's (already resolved: the pod controller
// of virtual-kubelet has turned secretKeyRef, configMapKeyRef and fieldRef into values, and envFrom
// into env) and then the runtime's own variables (HOSTNAME). The result is sorted by name: the
// resolved env arrives in no particular order.
func Env(imageEnv []string, containerEnv []corev1.EnvVar, runtime map[string]string) []string {
	merged := map[string]string{}
	for _, kv := range imageEnv {
		k, v, _ := strings.Cut(kv, "=")
		merged[k] = v
	}
	for _, e := range containerEnv {
		merged[e.Name] = e.Value
	}
	for k, v := range runtime {
		merged[k] = v
	}
	if _, ok := merged["PATH"]; !ok {
		merged["PATH"] = DefaultPath
	}
	names := make([]string, 0, len(merged))
	for k := range merged {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]string, 0, len(names))
	for _, k := range names {
		out = append(out, k+"="+merged[k])
	}
	return out
}

// KubernetesService points the variables of the `kubernetes` Service (service links) at the API
// server's real address: there is no kube-proxy, so the ClusterIP does not route. serviceIP is the
// ClusterIP of default/kubernetes. When KUBERNETES_SERVICE_HOST holds another value the pod set it
// itself, and nothing is changed; when it is missing, host and port are added.
func KubernetesService(env []corev1.EnvVar, serviceIP, host string, port int) []corev1.EnvVar {
	p := fmt.Sprint(port)
	out := append([]corev1.EnvVar(nil), env...)
	current := ""
	found := false
	for _, e := range env {
		if e.Name == "KUBERNETES_SERVICE_HOST" {
			current, found = e.Value, true
		}
	}
	if !found {
		return append(out,
			corev1.EnvVar{Name: "KUBERNETES_SERVICE_HOST", Value: host},
			corev1.EnvVar{Name: "KUBERNETES_SERVICE_PORT", Value: p})
	}
	if serviceIP == "" || current != serviceIP {
		return out
	}
	for i, e := range out {
		switch {
		case e.Name == "KUBERNETES_SERVICE_HOST":
			out[i].Value = host
		case strings.HasPrefix(e.Name, "KUBERNETES_SERVICE_PORT"):
			out[i].Value = p
		case !strings.HasPrefix(e.Name, "KUBERNETES_PORT"), strings.HasSuffix(e.Name, "_PROTO"):
		case strings.HasSuffix(e.Name, "_ADDR"):
			out[i].Value = host
		case strings.HasSuffix(e.Name, "_TCP_PORT"), strings.HasSuffix(e.Name, "_UDP_PORT"), strings.HasSuffix(e.Name, "_SCTP_PORT"):
			out[i].Value = p
		default:
			out[i].Value = "tcp://" + joinHostPort(host, p)
		}
	}
	return out
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// SubPath is the path below a volume a mount uses: subPath, or subPathExpr with $(VAR) expanded
// from the container's environment. It must stay inside the volume.
func SubPath(m corev1.VolumeMount, env []corev1.EnvVar) (string, error) {
	sub := m.SubPath
	if m.SubPathExpr != "" {
		vars := map[string]string{}
		for _, e := range env {
			vars[e.Name] = e.Value
		}
		sub = expand(m.SubPathExpr, vars)
	}
	if sub == "" {
		return "", nil
	}
	clean := path.Clean("/" + sub)
	if path.IsAbs(sub) || strings.Contains("/"+sub+"/", "/../") {
		return "", fmt.Errorf("volume mount %q: subPath %q must be a relative path inside the volume", m.Name, sub)
	}
	return strings.TrimPrefix(clean, "/"), nil
}

// expand replaces $(NAME) by its value, keeps unknown references as they are and turns $$ into $.
func expand(s string, vars map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case s[i+1] == '$':
			b.WriteByte('$')
			i++
		case s[i+1] == '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := vars[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}
