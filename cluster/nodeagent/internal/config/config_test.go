package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const example = `{
  "apiserver": {"host": "127.0.0.1", "port": 6443},
  "tls": {"certFile": "PKI/kubelet-serving.crt", "keyFile": "PKI/kubelet-serving.key", "clientCAFile": "PKI/ca.crt"},
  "imageStore": "images",
  "imageConfig": "/abs/images.json",
  "stateDir": "state",
  "nodes": [
    {"name": "node-1", "kind": "regular", "kubeconfig": "PKI/node-1.kubeconfig", "port": 10250},
    {"name": "virtual-kubelet", "kind": "aci", "kubeconfig": "PKI/virtual-kubelet.kubeconfig", "port": 10251}
  ]
}`

func TestLoadResolvesRelativePathsAgainstTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "agent.json")
	if err := os.WriteFile(path, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.TLS.CertFile, filepath.Join(dir, "PKI/kubelet-serving.crt"); got != want {
		t.Errorf("certFile = %q, want %q", got, want)
	}
	if got := cfg.ImageConfig; got != "/abs/images.json" {
		t.Errorf("absolute path changed to %q", got)
	}
	if got, want := cfg.Nodes[1].Kubeconfig, filepath.Join(dir, "PKI/virtual-kubelet.kubeconfig"); got != want {
		t.Errorf("kubeconfig = %q, want %q", got, want)
	}
	if cfg.Nodes[1].Kind != KindACI || cfg.Nodes[0].Port != 10250 {
		t.Errorf("nodes decoded wrongly: %+v", cfg.Nodes)
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name, from, to, want string
	}{
		{"unknown field", `"stateDir": "state",`, `"stateDir": "state", "extra": 1,`, "unknown field"},
		{"bad kind", `"kind": "aci"`, `"kind": "fargate"`, `kind "fargate"`},
		{"duplicate port", `"port": 10251`, `"port": 10250`, "port 10250 is used twice"},
		{"missing host", `"host": "127.0.0.1"`, `"host": ""`, "apiserver.host is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(strings.Replace(example, c.from, c.to, 1)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want one containing %q", err, c.want)
			}
		})
	}
}
