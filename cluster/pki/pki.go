// Package pki writes the certificates, keys and kubeconfigs of a local control plane: one CA that signs
// every serving and client certificate, the service-account signing key pair, and one kubeconfig per
// client identity, in the layout the harness and the node agent expect.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Options says where the files go and how clients reach the API server.
type Options struct {
	// Dir receives every file; it is created if missing.
	Dir string
	// APIServerURL is written into every kubeconfig, e.g. https://127.0.0.1:6443.
	APIServerURL string
	// ServiceIP is the first address of the service CIDR: the `kubernetes` Service's ClusterIP.
	ServiceIP net.IP
	// Nodes are the node names that get a system:node:<name> client identity.
	Nodes []string
	// Validity bounds every certificate.
	Validity time.Duration
}

// Identity is a client certificate subject and the kubeconfig written for it.
type Identity struct {
	File   string
	User   string
	Groups []string
}

// Identities lists the client identities for the given node names.
func Identities(nodes []string) []Identity {
	ids := []Identity{
		{File: "admin", User: "kubernetes-admin", Groups: []string{"system:masters"}},
		{File: "controller-manager", User: "system:kube-controller-manager"},
		{File: "scheduler", User: "system:kube-scheduler"},
		// The API server presents this one to kubelets (logs, exec); the node agent checks only the chain.
		{File: "apiserver-kubelet-client", User: "kube-apiserver-kubelet-client", Groups: []string{"system:masters"}},
		// The API server's proxy identity toward aggregated API servers (requestheader authentication).
		{File: "front-proxy-client", User: "front-proxy-client"},
	}
	for _, n := range nodes {
		ids = append(ids, Identity{File: n, User: "system:node:" + n, Groups: []string{"system:nodes"}})
	}
	return ids
}

type signer struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// Generate writes the whole set. Existing files are overwritten: every run is a new cluster.
func Generate(o Options) error {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", o.Dir, err)
	}
	if o.Validity == 0 {
		o.Validity = 365 * 24 * time.Hour
	}
	ca, err := newCA(o.Validity)
	if err != nil {
		return err
	}
	if err := writeCert(o.Dir, "ca", ca.cert, ca.key); err != nil {
		return err
	}
	serving := x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), o.ServiceIP},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if err := issue(o.Dir, "apiserver", ca, serving, o.Validity); err != nil {
		return err
	}
	kubelet := x509.Certificate{
		Subject:     pkix.Name{CommonName: "node-agent"},
		DNSNames:    append([]string{"localhost"}, o.Nodes...),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if err := issue(o.Dir, "kubelet-serving", ca, kubelet, o.Validity); err != nil {
		return err
	}
	for _, id := range Identities(o.Nodes) {
		client := x509.Certificate{
			Subject:     pkix.Name{CommonName: id.User, Organization: id.Groups},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		if err := issue(o.Dir, id.File, ca, client, o.Validity); err != nil {
			return err
		}
		if err := writeKubeconfig(o, id); err != nil {
			return err
		}
	}
	return writeServiceAccountKey(o.Dir)
}

func newCA(validity time.Duration) (signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return signer{}, fmt.Errorf("generating the CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "brigade-operator local cluster CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return signer{}, fmt.Errorf("self-signing the CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return signer{}, fmt.Errorf("parsing the CA: %w", err)
	}
	return signer{cert: cert, key: key}, nil
}

func issue(dir, name string, ca signer, tmpl x509.Certificate, validity time.Duration) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating the %s key: %w", name, err)
	}
	tmpl.SerialNumber = serial()
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(validity)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return fmt.Errorf("signing the %s certificate: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("parsing the %s certificate: %w", name, err)
	}
	return writeCert(dir, name, cert, key)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		// crypto/rand does not fail on Linux; a fixed serial would still give valid certificates.
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

func writeCert(dir, name string, cert *x509.Certificate, key crypto.Signer) error {
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding the %s key: %w", name, err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(filepath.Join(dir, name+".crt"), certPEM, 0o644); err != nil {
		return fmt.Errorf("writing %s.crt: %w", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".key"), keyPEM, 0o600); err != nil {
		return fmt.Errorf("writing %s.key: %w", name, err)
	}
	return nil
}

// writeServiceAccountKey writes the RSA pair that signs and verifies service-account tokens: the API
// server signs with sa.key and the controller manager's token controller uses the same key.
func writeServiceAccountKey(dir string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("generating the service-account key: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding the service-account key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return fmt.Errorf("encoding the service-account public key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sa.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return fmt.Errorf("writing sa.key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return fmt.Errorf("writing sa.pub: %w", err)
	}
	return nil
}

func writeKubeconfig(o Options, id Identity) error {
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(o.Dir, name)) }
	ca, err := read("ca.crt")
	if err != nil {
		return fmt.Errorf("reading the CA for %s: %w", id.File, err)
	}
	cert, err := read(id.File + ".crt")
	if err != nil {
		return fmt.Errorf("reading the %s certificate: %w", id.File, err)
	}
	key, err := read(id.File + ".key")
	if err != nil {
		return fmt.Errorf("reading the %s key: %w", id.File, err)
	}
	// Data is embedded, not referenced by path, so a kubeconfig stays valid when copied elsewhere.
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["local"] = &clientcmdapi.Cluster{Server: o.APIServerURL, CertificateAuthorityData: ca}
	cfg.AuthInfos[id.File] = &clientcmdapi.AuthInfo{ClientCertificateData: cert, ClientKeyData: key}
	cfg.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: id.File}
	cfg.CurrentContext = "local"
	path := filepath.Join(o.Dir, id.File+".kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Chmod(path, 0o600)
}
