package pki

import (
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
)

func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	o := Options{Dir: dir, APIServerURL: "https://127.0.0.1:6443", ServiceIP: net.ParseIP("10.0.0.1"), Nodes: []string{"node-1", "virtual-kubelet"}}
	if err := Generate(o); err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(readCert(t, dir, "ca"))

	serving := []struct {
		name string
		host string
	}{
		{"apiserver", "127.0.0.1"},
		{"apiserver", "kubernetes.default.svc"},
		{"apiserver", "10.0.0.1"},
		{"kubelet-serving", "127.0.0.1"},
		{"kubelet-serving", "virtual-kubelet"},
	}
	for _, tc := range serving {
		t.Run("serving "+tc.name+" "+tc.host, func(t *testing.T) {
			opts := x509.VerifyOptions{Roots: roots, DNSName: tc.host, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
			if _, err := readCert(t, dir, tc.name).Verify(opts); err != nil {
				t.Errorf("%s does not verify for %s: %v", tc.name, tc.host, err)
			}
		})
	}

	for _, id := range Identities(o.Nodes) {
		t.Run("client "+id.File, func(t *testing.T) {
			cert := readCert(t, dir, id.File)
			opts := x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
			if _, err := cert.Verify(opts); err != nil {
				t.Errorf("client certificate does not verify: %v", err)
			}
			if cert.Subject.CommonName != id.User || !slices.Equal(cert.Subject.Organization, id.Groups) {
				t.Errorf("subject %v, want user %s groups %v", cert.Subject, id.User, id.Groups)
			}
			cfg, err := clientcmd.LoadFromFile(filepath.Join(dir, id.File+".kubeconfig"))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Clusters["local"].Server; got != o.APIServerURL {
				t.Errorf("kubeconfig server %q, want %q", got, o.APIServerURL)
			}
			if len(cfg.AuthInfos[id.File].ClientCertificateData) == 0 {
				t.Error("kubeconfig has no embedded client certificate")
			}
		})
	}

	for _, f := range []string{"sa.key", "sa.pub"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
}

func TestIdentitiesOfNodes(t *testing.T) {
	ids := Identities([]string{"n"})
	last := ids[len(ids)-1]
	if last.User != "system:node:n" || !slices.Equal(last.Groups, []string{"system:nodes"}) {
		t.Errorf("node identity = %+v", last)
	}
}

func readCert(t *testing.T, dir, name string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name+".crt"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s.crt holds no PEM block", name)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
