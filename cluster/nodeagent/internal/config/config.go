// Package config reads the node agent's configuration file: where the API server is, the kubelet
// serving certificate, the local image store, the state directory and the nodes to serve.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Kind says how a node runs its pods.
type Kind string

const (
	// KindRegular is a plain node: every feature the agent implements is allowed.
	KindRegular Kind = "regular"
	// KindACI is a virtual-kubelet node whose provider refuses what Azure Container Instances refuses.
	KindACI Kind = "aci"
)

// Config is the whole file.
type Config struct {
	APIServer   APIServer `json:"apiserver"`
	TLS         TLS       `json:"tls"`
	ImageStore  string    `json:"imageStore"`
	ImageConfig string    `json:"imageConfig"`
	StateDir    string    `json:"stateDir"`
	Nodes       []Node    `json:"nodes"`
	// AdminKubeconfig is optional: a kubeconfig allowed to label nodes. It is used only to apply the
	// node labels the NodeRestriction admission plugin forbids a node to set on itself (for example
	// kubernetes.io/role). Without it those labels are not applied and a warning is logged.
	AdminKubeconfig string `json:"adminKubeconfig,omitempty"`
}

// APIServer is the address the API server really listens on. Containers get it as
// KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT, since no kube-proxy routes the ClusterIP.
type APIServer struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

// TLS is the kubelet API's serving certificate and the CA that client certificates must chain to.
type TLS struct {
	CertFile     string `json:"certFile"`
	KeyFile      string `json:"keyFile"`
	ClientCAFile string `json:"clientCAFile"`
}

// Node is one node served by the agent.
type Node struct {
	Name       string `json:"name"`
	Kind       Kind   `json:"kind"`
	Kubeconfig string `json:"kubeconfig"`
	Port       int    `json:"port"`
}

// Load reads and validates the file at path. Relative paths in it are resolved against the
// directory of the file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	cfg.resolvePaths(filepath.Dir(abs))
	return cfg, nil
}

// Parse decodes and validates a config; unknown fields are an error.
func Parse(data []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cfg Config
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

func (c *Config) validate() error {
	var errs []error
	if c.APIServer.Host == "" {
		errs = append(errs, errors.New("apiserver.host is required"))
	}
	if c.APIServer.Port <= 0 || c.APIServer.Port > 65535 {
		errs = append(errs, fmt.Errorf("apiserver.port %d is not a port", c.APIServer.Port))
	}
	for field, v := range map[string]string{
		"tls.certFile": c.TLS.CertFile, "tls.keyFile": c.TLS.KeyFile, "tls.clientCAFile": c.TLS.ClientCAFile,
		"imageStore": c.ImageStore, "imageConfig": c.ImageConfig, "stateDir": c.StateDir,
	} {
		if v == "" {
			errs = append(errs, fmt.Errorf("%s is required", field))
		}
	}
	if len(c.Nodes) == 0 {
		errs = append(errs, errors.New("nodes: at least one node is required"))
	}
	names, ports := map[string]bool{}, map[int]bool{}
	for i, n := range c.Nodes {
		errs = append(errs, n.validate(i, names, ports)...)
	}
	return errors.Join(errs...)
}

func (n Node) validate(i int, names map[string]bool, ports map[int]bool) []error {
	var errs []error
	where := fmt.Sprintf("nodes[%d]", i)
	switch {
	case n.Name == "":
		errs = append(errs, fmt.Errorf("%s.name is required", where))
	case names[n.Name]:
		errs = append(errs, fmt.Errorf("%s.name %q is used twice", where, n.Name))
	}
	names[n.Name] = true
	if n.Kind != KindRegular && n.Kind != KindACI {
		errs = append(errs, fmt.Errorf("%s.kind %q must be %q or %q", where, n.Kind, KindRegular, KindACI))
	}
	if n.Kubeconfig == "" {
		errs = append(errs, fmt.Errorf("%s.kubeconfig is required", where))
	}
	switch {
	case n.Port <= 0 || n.Port > 65535:
		errs = append(errs, fmt.Errorf("%s.port %d is not a port", where, n.Port))
	case ports[n.Port]:
		errs = append(errs, fmt.Errorf("%s.port %d is used twice", where, n.Port))
	}
	ports[n.Port] = true
	return errs
}

func (c *Config) resolvePaths(base string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
	abs(&c.TLS.CertFile)
	abs(&c.TLS.KeyFile)
	abs(&c.TLS.ClientCAFile)
	abs(&c.ImageStore)
	abs(&c.ImageConfig)
	abs(&c.StateDir)
	abs(&c.AdminKubeconfig)
	for i := range c.Nodes {
		abs(&c.Nodes[i].Kubeconfig)
	}
}
