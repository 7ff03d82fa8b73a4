// Package provider is the virtual-kubelet provider of the node agent: the only place that knows
// how a pod is run. Each pod gets a runner goroutine that sets up its volumes, runs its init
// containers in order and then its containers with runc, and reports every change of state to the
// pod controller through NotifyPods.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/log"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/clock"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/aci"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/imagestore"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/runc"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/volumes"
)

// Options configure the provider of one node.
type Options struct {
	NodeName string
	// ACI turns on the Azure Container Instances rules (the virtual-kubelet node).
	ACI bool
	// AllowPrivileged and AllowHostPaths are the regular node's powers.
	AllowPrivileged bool
	AllowHostPaths  bool

	Images  *imagestore.Resolver
	Runtime *runc.Runtime
	// StateDir holds this node's pods: bundles, volumes, logs.
	StateDir string

	Client   kubernetes.Interface
	Kube     volumes.Kube
	Pods     corev1listers.PodLister
	Services corev1listers.ServiceLister
	Recorder record.EventRecorder

	// APIServerHost and APIServerPort are given to containers as KUBERNETES_SERVICE_HOST/PORT.
	APIServerHost string
	APIServerPort int
	// NodeIP is the pods' IP (they use the host's network) and the node's.
	NodeIP          string
	NodeAllocatable corev1.ResourceList

	CapabilityMask uint64
	HostDevices    func() ([]specs.LinuxDevice, error)
	Clock          clock.Clock
}

// Provider runs the pods of one node.
type Provider struct {
	opts Options
	root context.Context

	mu     sync.Mutex
	pods   map[string]*podRun
	notify func(*corev1.Pod)
	wg     sync.WaitGroup
}

// ShutdownGrace is how long containers get to stop when the agent itself stops.
const ShutdownGrace = 2 * time.Second

// New makes a provider whose pods live until ctx ends. Containers and mounts left in its state
// directory by an earlier run are removed: the agent does not adopt running containers.
func New(ctx context.Context, opts Options) (*Provider, error) {
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	if opts.HostDevices == nil {
		opts.HostDevices = runc.HostDevices
	}
	if err := opts.Runtime.Clean(ctx); err != nil {
		return nil, fmt.Errorf("removing containers of an earlier run: %w", err)
	}
	pods := filepath.Join(opts.StateDir, "pods")
	if err := runc.UnmountAll(pods); err != nil {
		return nil, fmt.Errorf("unmounting what an earlier run left: %w", err)
	}
	if err := os.RemoveAll(pods); err != nil {
		return nil, fmt.Errorf("removing pods of an earlier run: %w", err)
	}
	if err := os.MkdirAll(pods, 0o755); err != nil {
		return nil, fmt.Errorf("creating state directory: %w", err)
	}
	return &Provider{opts: opts, root: ctx, pods: map[string]*podRun{}}, nil
}

func key(namespace, name string) string { return namespace + "/" + name }

func (p *Provider) lookup(namespace, name string) *podRun {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pods[key(namespace, name)]
}

// CreatePod starts running a pod. On the ACI node a pod using a feature ACI lacks is refused: the
// pod controller then fails it with reason ProviderFailed and this error as message.
func (p *Provider) CreatePod(ctx context.Context, pod *corev1.Pod) error {
	if p.opts.ACI {
		if msg := aci.UnsupportedFeature(pod); msg != "" {
			return errdefs.InvalidInput(msg)
		}
	}
	k := key(pod.Namespace, pod.Name)
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.pods[k]; ok {
		if old.uid() == pod.UID {
			return nil
		}
		return fmt.Errorf("pod %s: an earlier pod of that name is still stopping", k)
	}
	r := newPodRun(p, pod)
	p.pods[k] = r
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		r.run()
	}()
	log.G(ctx).WithField("pod", k).Info("pod accepted")
	return nil
}

// UpdatePod takes the pod's new metadata; a running container is never changed.
func (p *Provider) UpdatePod(ctx context.Context, pod *corev1.Pod) error {
	r := p.lookup(pod.Namespace, pod.Name)
	if r == nil {
		return errdefs.NotFoundf("pod %s/%s is not known to the provider", pod.Namespace, pod.Name)
	}
	if r.uid() != pod.UID {
		return fmt.Errorf("pod %s/%s: an earlier pod of that name is still stopping", pod.Namespace, pod.Name)
	}
	r.update(pod)
	r.publish()
	return nil
}

// DeletePod stops a pod gracefully: SIGTERM to each running container, SIGKILL after the grace
// period, then the containers are removed and a terminal status is reported. It returns at once;
// it may be called again for the same pod. A pod that is gone from the API server is dropped
// from the provider once stopped.
func (p *Provider) DeletePod(ctx context.Context, pod *corev1.Pod) error {
	r := p.lookup(pod.Namespace, pod.Name)
	if r == nil || r.uid() != pod.UID {
		return errdefs.NotFoundf("pod %s/%s is not known to the provider", pod.Namespace, pod.Name)
	}
	// A pod gone from the API server was force-deleted, or its grace period is over: the kubelet
	// then kills with the minimum grace period.
	why, grace := stopGone, MinimumGrace
	if live, err := p.opts.Pods.Pods(pod.Namespace).Get(pod.Name); err == nil && live.UID == pod.UID {
		why, grace = stopDeleted, gracePeriod(live)
	}
	r.terminate(grace, why)
	log.G(ctx).WithField("pod", key(pod.Namespace, pod.Name)).WithField("goneFromAPI", why == stopGone).Info("pod stopping")
	return nil
}

// MinimumGrace is the shortest grace period a container gets, as with the kubelet.
const MinimumGrace = 2 * time.Second

func gracePeriod(pod *corev1.Pod) time.Duration {
	g := int64(corev1.DefaultTerminationGracePeriodSeconds)
	switch {
	case pod.DeletionGracePeriodSeconds != nil:
		g = *pod.DeletionGracePeriodSeconds
	case pod.Spec.TerminationGracePeriodSeconds != nil:
		g = *pod.Spec.TerminationGracePeriodSeconds
	}
	d := time.Duration(g) * time.Second
	if d < MinimumGrace {
		d = MinimumGrace
	}
	return d
}

// forget drops a stopped pod.
func (p *Provider) forget(r *podRun) {
	p.mu.Lock()
	if p.pods[r.key] == r {
		delete(p.pods, r.key)
	}
	p.mu.Unlock()
	if err := os.RemoveAll(r.dir); err != nil {
		log.G(p.root).WithError(err).WithField("pod", r.key).Warn("removing the pod's state")
	}
}

// GetPod returns the pod with its current status.
func (p *Provider) GetPod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	r := p.lookup(namespace, name)
	if r == nil {
		return nil, errdefs.NotFoundf("pod %s/%s is not known to the provider", namespace, name)
	}
	return r.snapshot(), nil
}

// GetPodStatus returns the pod's current status.
func (p *Provider) GetPodStatus(ctx context.Context, namespace, name string) (*corev1.PodStatus, error) {
	pod, err := p.GetPod(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	return &pod.Status, nil
}

// GetPods returns every pod the provider knows.
func (p *Provider) GetPods(ctx context.Context) ([]*corev1.Pod, error) {
	p.mu.Lock()
	runs := make([]*podRun, 0, len(p.pods))
	for _, r := range p.pods {
		runs = append(runs, r)
	}
	p.mu.Unlock()
	out := make([]*corev1.Pod, 0, len(runs))
	for _, r := range runs {
		out = append(out, r.snapshot())
	}
	return out, nil
}

// NotifyPods registers the pod controller's callback for status changes.
func (p *Provider) NotifyPods(ctx context.Context, cb func(*corev1.Pod)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notify = cb
}

func (p *Provider) notifier() func(*corev1.Pod) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.notify
}

// Shutdown stops every pod (ShutdownGrace each) and waits for them, at most until ctx ends.
func (p *Provider) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	for _, r := range p.pods {
		r.terminate(ShutdownGrace, stopShutdown)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return errors.New("pods did not stop in time")
	}
}
