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

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/envvars"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/imagestore"
)

// ErrNoCommand is returned when neither the pod nor the image says what to run.
var ErrNoCommand = errors.New("no command specified")

// Command is what the container runs, by Kubernetes' rules: a command replaces the image's
// entrypoint and cmd; args alone replace only the cmd. $(VAR) in the pod's command and args is
// expanded from the container's environment.
func Command(c *corev1.Container, img imagestore.Config, env []corev1.EnvVar) ([]string, error) {
	lookup := envvars.MapLookup(env)
	expand := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = envvars.Expand(s, lookup)
		}
		return out
	}
	var argv []string
	switch {
	case len(c.Command) > 0:
		argv = append(append(argv, expand(c.Command)...), expand(c.Args)...)
	case len(c.Args) > 0:
		argv = append(append(argv, img.Entrypoint...), expand(c.Args)...)
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

// SubPath is the path below a volume a mount uses: subPath, or subPathExpr with $(VAR) expanded
// from the container's environment. It must stay inside the volume.
func SubPath(m corev1.VolumeMount, env []corev1.EnvVar) (string, error) {
	sub := m.SubPath
	if m.SubPathExpr != "" {
		sub = envvars.Expand(m.SubPathExpr, envvars.MapLookup(env))
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
