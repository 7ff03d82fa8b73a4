package provider

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/log"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/logs"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/podstatus"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/volumes"
)

// stopReason says why a pod is stopped, which decides what follows.
type stopReason int

const (
	// stopDeleted: the pod is being deleted in the API server; once stopped, the provider deletes
	// it there at once, as the kubelet does, instead of waiting out the grace period.
	stopDeleted stopReason = iota + 1
	// stopGone: the pod is no longer in the API server; once stopped it is forgotten.
	stopGone
	// stopShutdown: the agent stops.
	stopShutdown
)

// podRun is one pod on this node, from CreatePod until it is forgotten.
type podRun struct {
	p      *Provider
	key    string
	dir    string
	ctx    context.Context // ends when the pod must stop
	cancel context.CancelFunc
	done   chan struct{}

	mu         sync.Mutex
	pod        *corev1.Pod
	containers map[string]podstatus.Container
	logs       map[string]*logs.Log
	sandbox    bool
	startTime  time.Time
	stopping   stopReason
	grace      time.Duration
	finished   bool

	pubMu sync.Mutex // keeps notifications in the order their statuses were computed
}

func newPodRun(p *Provider, pod *corev1.Pod) *podRun {
	ctx, cancel := context.WithCancel(p.root)
	return &podRun{
		p: p, key: key(pod.Namespace, pod.Name), pod: pod.DeepCopy(),
		dir: filepath.Join(p.opts.StateDir, "pods", string(pod.UID)),
		ctx: ctx, cancel: cancel, done: make(chan struct{}),
		containers: map[string]podstatus.Container{}, logs: map[string]*logs.Log{},
		startTime: p.opts.Clock.Now(),
	}
}

func (r *podRun) uid() types.UID {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pod.UID
}

func (r *podRun) update(pod *corev1.Pod) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pod = pod.DeepCopy()
}

// terminate starts stopping the pod; the first reason and grace period win, except that a pod
// found gone from the API server is forgotten once stopped.
func (r *podRun) terminate(grace time.Duration, why stopReason) {
	r.mu.Lock()
	first := r.stopping == 0
	if first || why == stopGone {
		r.stopping = why
	}
	if first {
		r.grace = grace
	}
	finished := r.finished
	r.mu.Unlock()
	r.cancel()
	if finished && why == stopGone {
		r.p.forget(r)
	}
}

func (r *podRun) stopGrace() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.grace
}

func (r *podRun) setContainer(name string, c podstatus.Container) {
	r.mu.Lock()
	r.containers[name] = c
	r.mu.Unlock()
	r.publish()
}

func (r *podRun) event(eventType, reason, format string, args ...any) {
	r.mu.Lock()
	pod := r.pod
	r.mu.Unlock()
	r.p.opts.Recorder.Eventf(pod, eventType, reason, format, args...)
}

// run is the pod's life: volumes, init containers in order, then the containers together.
func (r *podRun) run() {
	defer close(r.done)
	defer r.finish()
	r.publish()
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		r.event(corev1.EventTypeWarning, "FailedCreatePodSandBox", "creating the pod's directory: %v", err)
		<-r.ctx.Done()
		return
	}
	vols := r.setupVolumes()
	if vols == nil {
		return
	}
	defer func() {
		if err := vols.Teardown(); err != nil {
			log.G(r.ctx).WithError(err).WithField("pod", r.key).Warn("tearing down volumes")
		}
	}()
	tokens, stopTokens := context.WithCancel(r.ctx)
	defer stopTokens()
	go vols.RefreshTokens(tokens)
	files, err := writePodFiles(r.dir, r.hostname())
	if err != nil {
		r.event(corev1.EventTypeWarning, "FailedCreatePodSandBox", "writing /etc/hosts and /etc/resolv.conf: %v", err)
		<-r.ctx.Done()
		return
	}
	r.mu.Lock()
	r.sandbox = true
	spec := r.pod.Spec
	r.mu.Unlock()
	r.publish()

	env := containerEnv{vols: vols, files: files}
	for i := range spec.InitContainers {
		if !r.runContainer(&spec.InitContainers[i], env) {
			return
		}
	}
	var wg sync.WaitGroup
	for i := range spec.Containers {
		wg.Go(func() { r.runContainer(&spec.Containers[i], env) })
	}
	wg.Wait()
}

func (r *podRun) hostname() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.pod.Spec.Hostname
	if h == "" {
		h = r.pod.Name
	}
	if len(h) > 63 {
		h = h[:63]
	}
	return h
}

// setupVolumes retries until every volume is set up, or returns nil when the pod stops first.
func (r *podRun) setupVolumes() *volumes.Set {
	delay := 250 * time.Millisecond
	for attempt := 0; ; attempt++ {
		r.mu.Lock()
		pod := r.pod.DeepCopy()
		r.mu.Unlock()
		vols, err := volumes.Prepare(r.ctx, r.p.opts.Kube, pod, filepath.Join(r.dir, "volumes"), volumes.Options{
			AllowHost: r.p.opts.AllowHostPaths, PodIP: r.p.opts.NodeIP, HostIP: r.p.opts.NodeIP,
			NodeAllocation: r.p.opts.NodeAllocatable, Now: r.p.opts.Clock.Now,
		})
		if err == nil {
			return vols
		}
		if r.ctx.Err() != nil {
			return nil
		}
		log.G(r.ctx).WithError(err).WithField("pod", r.key).Warn("setting up volumes")
		if attempt > 0 { // the first failure is often the Node authorizer not knowing the pod yet
			r.event(corev1.EventTypeWarning, "FailedMount", "%v", err)
		}
		select {
		case <-r.ctx.Done():
			return nil
		case <-r.p.opts.Clock.After(delay):
		}
		delay = min(delay*2, 30*time.Second)
	}
}

// finish reports the final status; a deleted pod is then released in the API server.
func (r *podRun) finish() {
	r.mu.Lock()
	r.finished = true
	why := r.stopping
	if why != 0 {
		now := metav1.NewTime(r.p.opts.Clock.Now())
		for _, c := range append(append([]corev1.Container{}, r.pod.Spec.InitContainers...), r.pod.Spec.Containers...) {
			st := r.containers[c.Name]
			if st.State.Terminated == nil {
				// Never started: the kubelet reports such containers of a stopped pod this way.
				st.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
					ExitCode: 137, Reason: "ContainerStatusUnknown", FinishedAt: now,
					Message: "The container could not be located when the pod was terminated",
				}}
				r.containers[c.Name] = st
			}
		}
	}
	r.mu.Unlock()
	r.publish()
	switch why {
	case stopDeleted:
		r.release()
	case stopGone:
		r.p.forget(r)
	}
}

// release deletes the stopped pod in the API server once its terminal status is there, as the
// kubelet does, so that a deleted pod does not linger for its whole grace period.
func (r *podRun) release() {
	r.mu.Lock()
	pod := r.pod
	grace := r.grace
	r.mu.Unlock()
	deadline := r.p.opts.Clock.Now().Add(grace + 10*time.Second)
	for r.p.opts.Clock.Now().Before(deadline) {
		live, err := r.p.opts.Pods.Pods(pod.Namespace).Get(pod.Name)
		if err != nil || live.UID != pod.UID {
			return // already gone
		}
		if live.Status.Phase == corev1.PodSucceeded || live.Status.Phase == corev1.PodFailed || !anyRunning(live.Status) {
			break
		}
		<-r.p.opts.Clock.After(100 * time.Millisecond)
	}
	zero := int64(0)
	err := r.p.opts.Client.CoreV1().Pods(pod.Namespace).Delete(r.p.root, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &pod.UID},
	})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		log.G(r.p.root).WithError(err).WithField("pod", r.key).Warn("deleting the stopped pod")
	}
}

func anyRunning(s corev1.PodStatus) bool {
	for _, c := range s.ContainerStatuses {
		if c.State.Running != nil {
			return true
		}
	}
	return false
}

// snapshot is the pod as the provider reports it: the API server's current metadata (so that a
// status update never reverts labels, annotations or finalizers) and the computed status.
func (r *podRun) snapshot() *corev1.Pod {
	r.mu.Lock()
	pod := r.pod.DeepCopy()
	state := podstatus.Pod{
		Containers:   make(map[string]podstatus.Container, len(r.containers)),
		SandboxReady: r.sandbox && !r.finished,
		StartTime:    r.startTime,
		HostIP:       r.p.opts.NodeIP,
		PodIP:        r.p.opts.NodeIP,
	}
	for k, v := range r.containers {
		v.State = *v.State.DeepCopy()
		state.Containers[k] = v
	}
	r.mu.Unlock()
	prev := pod.Status
	if live, err := r.p.opts.Pods.Pods(pod.Namespace).Get(pod.Name); err == nil && live.UID == pod.UID {
		pod.ObjectMeta = *live.ObjectMeta.DeepCopy()
		prev = *live.Status.DeepCopy()
	}
	pod.Status = podstatus.Compute(pod, prev, state, r.p.opts.Clock.Now())
	return pod
}

func (r *podRun) publish() {
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	pod := r.snapshot()
	if notify := r.p.notifier(); notify != nil {
		notify(pod)
	}
}
