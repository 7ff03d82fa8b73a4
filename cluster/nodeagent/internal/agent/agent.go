package agent

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/log"
	"github.com/virtual-kubelet/virtual-kubelet/node"
	"github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/config"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/imagestore"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/provider"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/runc"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/volumes"
)

var _ nodeutil.Provider = (*provider.Provider)(nil)
var _ node.PodNotifier = (*provider.Provider)(nil)

// shared is what every node of the agent uses.
type shared struct {
	cfg            *config.Config
	images         *imagestore.Resolver
	runcBinary     string
	capabilityMask uint64
	host           Host
	admin          kubernetes.Interface
}

// Run serves every configured node until ctx ends, then stops their pods.
func Run(ctx context.Context, cfg *config.Config) error {
	sh, err := prepare(cfg)
	if err != nil {
		return err
	}
	// Pods outlive ctx long enough to be stopped gracefully when the agent stops.
	podCtx, stopPods := context.WithCancel(context.WithoutCancel(ctx))
	defer stopPods()

	var wg sync.WaitGroup
	errs := make(chan error, len(cfg.Nodes))
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var providers []*provider.Provider
	for _, n := range cfg.Nodes {
		nd, err := sh.newNode(runCtx, podCtx, n)
		if err != nil {
			cancel()
			wg.Wait()
			return fmt.Errorf("node %s: %w", n.Name, err)
		}
		providers = append(providers, nd.provider)
		wg.Go(func() {
			if err := nd.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
				errs <- fmt.Errorf("node %s: %w", n.Name, err)
				cancel()
			}
		})
		wg.Go(func() { sh.whenReady(runCtx, nd, n) })
	}
	<-runCtx.Done()
	wg.Wait()
	close(errs)
	stopCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer done()
	var all []error
	for _, p := range providers {
		all = append(all, p.Shutdown(stopCtx))
	}
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

func prepare(cfg *config.Config) (*shared, error) {
	mapping, err := imagestore.LoadMapping(cfg.ImageConfig)
	if err != nil {
		return nil, err
	}
	images, err := imagestore.NewResolver(imagestore.OpenStore(cfg.ImageStore), mapping)
	if err != nil {
		return nil, fmt.Errorf("image config: %w", err)
	}
	bin, err := runc.Find()
	if err != nil {
		return nil, err
	}
	mask, err := runc.BoundingSet()
	if err != nil {
		return nil, err
	}
	if _, err := tls.LoadX509KeyPair(cfg.TLS.CertFile, cfg.TLS.KeyFile); err != nil {
		return nil, fmt.Errorf("kubelet serving certificate: %w", err)
	}
	sh := &shared{cfg: cfg, images: images, runcBinary: bin, capabilityMask: mask, host: hostFacts(bin)}
	if cfg.AdminKubeconfig != "" {
		if sh.admin, err = clientFor(cfg.AdminKubeconfig, "nodeagent-labeler"); err != nil {
			return nil, fmt.Errorf("adminKubeconfig: %w", err)
		}
	}
	return sh, nil
}

func clientFor(kubeconfig, agent string) (kubernetes.Interface, error) {
	rc, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", kubeconfig, err)
	}
	rc.QPS, rc.Burst = 50, 100
	rc.UserAgent = "brigade-nodeagent/" + agent
	return kubernetes.NewForConfig(rc)
}

// agentNode is one served node.
type agentNode struct {
	*nodeutil.Node
	provider    *provider.Provider
	client      kubernetes.Interface
	adminLabels map[string]string
}

func (sh *shared) newNode(ctx, podCtx context.Context, n config.Node) (*agentNode, error) {
	client, err := clientFor(n.Kubeconfig, n.Name)
	if err != nil {
		return nil, err
	}
	spec := NodeSpec(n, sh.host)
	var adminLabels map[string]string
	spec.Labels, adminLabels = SplitLabels(spec.Labels)
	broadcaster := record.NewBroadcaster()
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	go func() {
		<-podCtx.Done()
		broadcaster.Shutdown()
	}()
	recorder := broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: n.Name})
	stateDir := filepath.Join(sh.cfg.StateDir, n.Name)
	var prov *provider.Provider
	newProvider := func(pc nodeutil.ProviderConfig) (nodeutil.Provider, node.NodeProvider, error) {
		prov, err = provider.New(podCtx, provider.Options{
			NodeName: n.Name, ACI: n.Kind == config.KindACI,
			AllowPrivileged: n.Kind == config.KindRegular, AllowHostPaths: n.Kind == config.KindRegular,
			Images: sh.images, Runtime: &runc.Runtime{Binary: sh.runcBinary, Root: filepath.Join(stateDir, "runc")},
			StateDir: stateDir, Client: client, Kube: volumes.ClientKube(client),
			Pods: pc.Pods, Services: pc.Services, Recorder: recorder,
			APIServerHost: sh.cfg.APIServer.Host, APIServerPort: sh.cfg.APIServer.Port,
			NodeIP: NodeIP, NodeAllocatable: spec.Status.Allocatable, CapabilityMask: sh.capabilityMask,
		})
		return prov, nil, err
	}
	mux := http.NewServeMux()
	// NewNode builds a default client from $KUBECONFIG before applying WithClient, and logs a
	// warning with a stack trace when there is none: point it at this node's kubeconfig.
	if err := os.Setenv("KUBECONFIG", n.Kubeconfig); err != nil {
		return nil, err
	}
	nd, err := nodeutil.NewNode(n.Name, newProvider,
		nodeutil.WithClient(client),
		func(c *nodeutil.NodeConfig) error {
			c.NodeSpec = spec
			c.HTTPListenAddr = net.JoinHostPort(NodeIP, strconv.Itoa(n.Port))
			c.EventRecorder = recorder
			c.NumWorkers = 8
			// The provider resolves env itself (package envvars): virtual-kubelet's resolution fails on
			// status.podIP/hostIP and drops resourceFieldRef variables.
			c.SkipDownwardAPIResolution = true
			c.Handler = logRequests(ctx, n.Name, mux)
			c.NodeStatusUpdateErrorHandler = recreateNode(client, spec)
			return nil
		},
		nodeutil.WithTLSConfig(
			nodeutil.WithKeyPairFromPath(sh.cfg.TLS.CertFile, sh.cfg.TLS.KeyFile),
			nodeutil.WithCAFromPath(sh.cfg.TLS.ClientCAFile),
		),
		nodeutil.AttachProviderRoutes(mux),
	)
	if err != nil {
		return nil, err
	}
	return &agentNode{Node: nd, provider: prov, client: client, adminLabels: adminLabels}, nil
}

// whenReady logs the node's readiness and applies the labels it may not set itself.
func (sh *shared) whenReady(ctx context.Context, nd *agentNode, n config.Node) {
	if err := nd.WaitReady(ctx, 0); err != nil {
		return
	}
	log.G(ctx).WithField("node", n.Name).WithField("kubeletPort", n.Port).Info("node ready")
	if len(nd.adminLabels) == 0 {
		return
	}
	if sh.admin == nil {
		log.G(ctx).WithField("node", n.Name).Warnf("labels %s not applied: NodeRestriction forbids a node to set them and no adminKubeconfig is configured", describeLabels(nd.adminLabels))
		return
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"labels": nd.adminLabels}})
	if err == nil {
		_, err = sh.admin.CoreV1().Nodes().Patch(ctx, n.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "brigade-nodeagent"})
	}
	if err != nil {
		log.G(ctx).WithError(err).WithField("node", n.Name).Error("applying node labels")
	}
}

// recreateNode registers the node again when it was deleted from the API server.
func recreateNode(client kubernetes.Interface, spec corev1.Node) node.ErrorHandler {
	return func(ctx context.Context, err error) error {
		if !apierrors.IsNotFound(err) {
			return err
		}
		_, err = client.CoreV1().Nodes().Create(ctx, spec.DeepCopy(), metav1.CreateOptions{})
		return err
	}
}

// logRequests logs each kubelet API request with the client certificate's name; the TLS layer has
// already refused clients without a certificate signed by the cluster CA.
func logRequests(ctx context.Context, nodeName string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		user := ""
		if req.TLS != nil && len(req.TLS.VerifiedChains) > 0 {
			user = req.TLS.VerifiedChains[0][0].Subject.CommonName
		}
		if user == "" {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		log.G(ctx).WithField("node", nodeName).WithField("user", user).WithField("path", req.URL.Path).Debug("kubelet API request")
		h.ServeHTTP(w, req)
	})
}

// hostFacts are the kernel, OS and runtime versions reported in nodeInfo.
func hostFacts(runcBinary string) Host {
	h := Host{OSImage: "linux", RuntimeVersion: "runc://unknown"}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		h.KernelVersion = unix.ByteSliceToString(u.Release[:])
	}
	if data, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				h.OSImage = strings.Trim(v, `"`)
			}
		}
	}
	if out, err := exec.Command(runcBinary, "--version").Output(); err == nil {
		if f := strings.Fields(string(out)); len(f) >= 3 {
			h.RuntimeVersion = "runc://" + f[2]
		}
	}
	return h
}
