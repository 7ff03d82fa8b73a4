// Package envvars resolves a container's environment as the kubelet does: envFrom, env with
// $(VAR) expansion, valueFrom (fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef) and the
// service-link variables. The `kubernetes` Service's variables point at the API server's real
// address, since no kube-proxy routes its ClusterIP.
package envvars

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/downward"
)

// Source is where referenced Secrets and ConfigMaps are read from.
type Source interface {
	Secret(ctx context.Context, namespace, name string) (*corev1.Secret, error)
	ConfigMap(ctx context.Context, namespace, name string) (*corev1.ConfigMap, error)
}

// Input is what a container's environment is resolved from.
type Input struct {
	Pod       downward.Pod
	Container *corev1.Container
	// Services are the Services of the pod's namespace (for service links); default/kubernetes
	// is replaced by APIServerHost and APIServerPort.
	Services      []*corev1.Service
	APIServerHost string
	APIServerPort int
}

// Error is an environment that cannot be resolved: the container waits with reason
// CreateContainerConfigError until it can.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// Resolve returns the container's environment variables, sorted by name.
func Resolve(ctx context.Context, src Source, in Input) ([]corev1.EnvVar, error) {
	pod := in.Pod.Pod
	env := map[string]string{}
	for _, from := range in.Container.EnvFrom {
		data, err := envFromData(ctx, src, pod.Namespace, from)
		if err != nil {
			return nil, err
		}
		for k, v := range data {
			env[from.Prefix+k] = v
		}
	}
	services := serviceEnv(in)
	lookup := func(name string) (string, bool) {
		if v, ok := env[name]; ok {
			return v, true
		}
		v, ok := services[name]
		return v, ok
	}
	for _, e := range in.Container.Env {
		switch {
		case e.Value != "":
			env[e.Name] = Expand(e.Value, lookup)
		case e.ValueFrom != nil:
			v, ok, err := valueFrom(ctx, src, in, e.ValueFrom)
			if err != nil {
				return nil, err
			}
			if ok {
				env[e.Name] = v
			}
		default:
			env[e.Name] = ""
		}
	}
	for k, v := range services {
		if _, ok := env[k]; !ok {
			env[k] = v
		}
	}
	out := make([]corev1.EnvVar, 0, len(env))
	for k, v := range env {
		out = append(out, corev1.EnvVar{Name: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func optional(b *bool) bool { return b != nil && *b }

func envFromData(ctx context.Context, src Source, ns string, from corev1.EnvFromSource) (map[string]string, error) {
	switch {
	case from.ConfigMapRef != nil:
		cm, err := src.ConfigMap(ctx, ns, from.ConfigMapRef.Name)
		if apierrors.IsNotFound(err) && optional(from.ConfigMapRef.Optional) {
			return nil, nil
		}
		if err != nil {
			return nil, &Error{err.Error()}
		}
		return cm.Data, nil
	case from.SecretRef != nil:
		s, err := src.Secret(ctx, ns, from.SecretRef.Name)
		if apierrors.IsNotFound(err) && optional(from.SecretRef.Optional) {
			return nil, nil
		}
		if err != nil {
			return nil, &Error{err.Error()}
		}
		out := make(map[string]string, len(s.Data))
		for k, v := range s.Data {
			out[k] = string(v)
		}
		return out, nil
	}
	return nil, nil
}

// valueFrom resolves one valueFrom; ok is false for an optional reference that is missing.
func valueFrom(ctx context.Context, src Source, in Input, vf *corev1.EnvVarSource) (string, bool, error) {
	ns := in.Pod.Pod.Namespace
	switch {
	case vf.FieldRef != nil:
		v, err := downward.FieldValue(in.Pod, vf.FieldRef.FieldPath)
		if err != nil {
			return "", false, &Error{err.Error()}
		}
		return v, true, nil
	case vf.ResourceFieldRef != nil:
		v, err := downward.ResourceValue(in.Pod, vf.ResourceFieldRef, in.Container.Name)
		if err != nil {
			return "", false, &Error{err.Error()}
		}
		return v, true, nil
	case vf.ConfigMapKeyRef != nil:
		ref := vf.ConfigMapKeyRef
		cm, err := src.ConfigMap(ctx, ns, ref.Name)
		if err != nil {
			if apierrors.IsNotFound(err) && optional(ref.Optional) {
				return "", false, nil
			}
			return "", false, &Error{err.Error()}
		}
		v, ok := cm.Data[ref.Key]
		if !ok {
			if optional(ref.Optional) {
				return "", false, nil
			}
			return "", false, &Error{fmt.Sprintf("couldn't find key %s in ConfigMap %s/%s", ref.Key, ns, ref.Name)}
		}
		return v, true, nil
	case vf.SecretKeyRef != nil:
		ref := vf.SecretKeyRef
		s, err := src.Secret(ctx, ns, ref.Name)
		if err != nil {
			if apierrors.IsNotFound(err) && optional(ref.Optional) {
				return "", false, nil
			}
			return "", false, &Error{err.Error()}
		}
		v, ok := s.Data[ref.Key]
		if !ok {
			if optional(ref.Optional) {
				return "", false, nil
			}
			return "", false, &Error{fmt.Sprintf("couldn't find key %s in Secret %s/%s", ref.Key, ns, ref.Name)}
		}
		return string(v), true, nil
	}
	return "", false, &Error{"unsupported valueFrom"}
}

// serviceEnv is the service-link variables: the `kubernetes` Service always (at the API server's
// real address), the other Services of the pod's namespace when enableServiceLinks is not false.
func serviceEnv(in Input) map[string]string {
	pod := in.Pod.Pod
	links := pod.Spec.EnableServiceLinks == nil || *pod.Spec.EnableServiceLinks
	out := map[string]string{}
	for _, svc := range in.Services {
		if !links || svc.Namespace != pod.Namespace || (svc.Namespace == "default" && svc.Name == "kubernetes") {
			continue
		}
		ip := svc.Spec.ClusterIP
		if ip == "" || ip == corev1.ClusterIPNone {
			continue
		}
		for k, v := range linkVars(svc.Name, ip, svc.Spec.Ports, nil) {
			out[k] = v
		}
	}
	port := int32(in.APIServerPort)
	kube := []corev1.ServicePort{{Name: "https", Port: 443, Protocol: corev1.ProtocolTCP}}
	for k, v := range linkVars("kubernetes", in.APIServerHost, kube, &port) {
		out[k] = v
	}
	return out
}

// linkVars are the kubelet's variables for one Service; realPort, when set, is the port the
// values carry (names keep the Service's own port).
func linkVars(name, ip string, ports []corev1.ServicePort, realPort *int32) map[string]string {
	out := map[string]string{}
	if len(ports) == 0 {
		return out
	}
	prefix := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	value := func(p corev1.ServicePort) string {
		if realPort != nil {
			return strconv.Itoa(int(*realPort))
		}
		return strconv.Itoa(int(p.Port))
	}
	out[prefix+"_SERVICE_HOST"] = ip
	out[prefix+"_SERVICE_PORT"] = value(ports[0])
	for i, p := range ports {
		if p.Name != "" {
			out[prefix+"_SERVICE_PORT_"+strings.ToUpper(strings.ReplaceAll(p.Name, "-", "_"))] = value(p)
		}
		proto := p.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		url := fmt.Sprintf("%s://%s", strings.ToLower(string(proto)), hostPort(ip, value(p)))
		if i == 0 {
			out[prefix+"_PORT"] = url
		}
		v := fmt.Sprintf("%s_PORT_%d_%s", prefix, p.Port, strings.ToUpper(string(proto)))
		out[v] = url
		out[v+"_PROTO"] = strings.ToLower(string(proto))
		out[v+"_PORT"] = value(p)
		out[v+"_ADDR"] = ip
	}
	return out
}

func hostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// Expand replaces $(NAME) by its value where lookup knows it, keeps unknown references as they
// are and turns $$ into $, as Kubernetes does for env values, command, args and subPathExpr.
func Expand(s string, lookup func(string) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := lookup(name); ok {
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

// MapLookup looks names up in an env list.
func MapLookup(env []corev1.EnvVar) func(string) (string, bool) {
	m := make(map[string]string, len(env))
	for _, e := range env {
		m[e.Name] = e.Value
	}
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}
