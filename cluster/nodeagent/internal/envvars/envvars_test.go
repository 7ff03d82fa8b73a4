package envvars

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/downward"
)

type source struct {
	secrets    map[string]*corev1.Secret
	configMaps map[string]*corev1.ConfigMap
}

func (s source) Secret(_ context.Context, _, name string) (*corev1.Secret, error) {
	if v, ok := s.secrets[name]; ok {
		return v, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, name)
}

func (s source) ConfigMap(_ context.Context, _, name string) (*corev1.ConfigMap, error) {
	if v, ok := s.configMaps[name]; ok {
		return v, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, name)
}

var src = source{
	secrets:    map[string]*corev1.Secret{"docker": {Data: map[string][]byte{"password": []byte("hunter2"), "user": []byte("bob")}}},
	configMaps: map[string]*corev1.ConfigMap{"settings": {Data: map[string]string{"LEVEL": "debug", "MODE": "fast"}}},
}

func ptr[T any](v T) *T { return &v }

func input(c *corev1.Container, services ...*corev1.Service) Input {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", Labels: map[string]string{"app": "x"}},
		Spec:       corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{*c}},
	}
	return Input{Pod: downward.Pod{Pod: pod, PodIP: "127.0.0.1", HostIP: "127.0.0.1"}, Container: c, Services: services,
		APIServerHost: "127.0.0.1", APIServerPort: 6443}
}

func asMap(env []corev1.EnvVar) map[string]string {
	m := map[string]string{}
	for _, e := range env {
		m[e.Name] = e.Value
	}
	return m
}

func TestResolve(t *testing.T) {
	c := &corev1.Container{
		Name: "c",
		EnvFrom: []corev1.EnvFromSource{
			{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}},
			{Prefix: "DOCKER_", SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "docker"}}},
			{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "absent"}, Optional: ptr(true)}},
		},
		Env: []corev1.EnvVar{
			{Name: "MODE", Value: "slow"},
			{Name: "GREETING", Value: "hello $(DOCKER_user) at $(KUBERNETES_SERVICE_HOST), $(UNKNOWN) $$(MODE)"},
			{Name: "PASS", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "docker"}, Key: "password"}}},
			{Name: "LVL", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}, Key: "LEVEL"}}},
			{Name: "GONE", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "nope"}, Key: "k", Optional: ptr(true)}}},
			{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
			{Name: "NODE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}},
			{Name: "APP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels['app']"}}},
			{Name: "MEM", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.memory", Divisor: resource.MustParse("1Mi")}}},
			{Name: "EMPTY"},
		},
		Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")}},
	}
	env, err := Resolve(context.Background(), src, input(c))
	if err != nil {
		t.Fatal(err)
	}
	got := asMap(env)
	want := map[string]string{
		"LEVEL": "debug", "MODE": "slow", "DOCKER_password": "hunter2", "DOCKER_user": "bob",
		"GREETING": "hello bob at 127.0.0.1, $(UNKNOWN) $(MODE)", "PASS": "hunter2", "LVL": "debug",
		"POD_IP": "127.0.0.1", "NODE": "node-1", "APP": "x", "MEM": "64", "EMPTY": "",
		"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "6443", "KUBERNETES_SERVICE_PORT_HTTPS": "6443",
		"KUBERNETES_PORT": "tcp://127.0.0.1:6443", "KUBERNETES_PORT_443_TCP": "tcp://127.0.0.1:6443",
		"KUBERNETES_PORT_443_TCP_PROTO": "tcp", "KUBERNETES_PORT_443_TCP_PORT": "6443", "KUBERNETES_PORT_443_TCP_ADDR": "127.0.0.1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["GONE"]; ok || len(got) != len(want) {
		t.Errorf("unexpected variables: %v", got)
	}
	for i := 1; i < len(env); i++ {
		if env[i-1].Name > env[i].Name {
			t.Fatal("env not sorted")
		}
	}
}

func TestServiceLinks(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "redis-master", Namespace: "ns"}, Spec: corev1.ServiceSpec{
		ClusterIP: "10.0.0.11", Ports: []corev1.ServicePort{{Name: "redis", Port: 6379, Protocol: corev1.ProtocolTCP}}}}
	other := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "elsewhere", Namespace: "other"}, Spec: corev1.ServiceSpec{ClusterIP: "10.0.0.12", Ports: []corev1.ServicePort{{Port: 80}}}}
	headless := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "headless", Namespace: "ns"}, Spec: corev1.ServiceSpec{ClusterIP: "None", Ports: []corev1.ServicePort{{Port: 80}}}}
	c := &corev1.Container{Name: "c", Env: []corev1.EnvVar{{Name: "KUBERNETES_SERVICE_HOST", Value: "api.example"}}}
	in := input(c, svc, other, headless)
	env, err := Resolve(context.Background(), src, in)
	if err != nil {
		t.Fatal(err)
	}
	got := asMap(env)
	if got["REDIS_MASTER_SERVICE_HOST"] != "10.0.0.11" || got["REDIS_MASTER_SERVICE_PORT_REDIS"] != "6379" || got["REDIS_MASTER_PORT_6379_TCP_ADDR"] != "10.0.0.11" {
		t.Errorf("service links missing: %v", got)
	}
	if _, ok := got["ELSEWHERE_SERVICE_HOST"]; ok {
		t.Error("a Service of another namespace leaked in")
	}
	if _, ok := got["HEADLESS_SERVICE_HOST"]; ok {
		t.Error("a headless Service got variables")
	}
	if got["KUBERNETES_SERVICE_HOST"] != "api.example" {
		t.Error("the pod's own KUBERNETES_SERVICE_HOST was overridden")
	}
	in.Pod.Pod.Spec.EnableServiceLinks = ptr(false)
	env, _ = Resolve(context.Background(), src, in)
	if got := asMap(env); got["REDIS_MASTER_SERVICE_HOST"] != "" || got["KUBERNETES_SERVICE_PORT"] != "6443" {
		t.Errorf("enableServiceLinks false: %v", got)
	}
}

func TestResolveErrors(t *testing.T) {
	ref := func(name, key string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}}
	}
	cases := map[string]struct {
		c    corev1.Container
		want string
	}{
		"missing secret": {corev1.Container{Env: []corev1.EnvVar{{Name: "X", ValueFrom: ref("nope", "k")}}}, `secrets "nope" not found`},
		"missing key":    {corev1.Container{Env: []corev1.EnvVar{{Name: "X", ValueFrom: ref("docker", "k")}}}, "couldn't find key k in Secret ns/docker"},
		"missing configMap in envFrom": {corev1.Container{EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "nope"}}}}},
			`configmaps "nope" not found`},
		"bad field path": {corev1.Container{Env: []corev1.EnvVar{{Name: "X", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.bogus"}}}}}, "unsupported downward API field path"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Resolve(context.Background(), src, input(&c.c))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want %q", err, c.want)
			}
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not an *Error", err)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	lookup := MapLookup([]corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "$(A)"}})
	for in, want := range map[string]string{
		"$(A)": "1", "x$(A)y": "x1y", "$(B)": "$(A)", "$$(A)": "$(A)", "$(C)": "$(C)", "$(A": "$(A",
		"$A": "$A", "cost: 5$": "cost: 5$", "$$": "$", "$(hostname)": "$(hostname)",
	} {
		if got := Expand(in, lookup); got != want {
			t.Errorf("Expand(%q) = %q, want %q", in, got, want)
		}
	}
}
