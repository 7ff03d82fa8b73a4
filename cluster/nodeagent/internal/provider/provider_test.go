package provider

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	corev1listers "k8s.io/client-go/listers/core/v1"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/imagestore"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/runc"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/testimage"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/volumes"
)

// harness is a provider running real runc containers against a fake API server.
type harness struct {
	t        *testing.T
	p        *Provider
	client   *fake.Clientset
	pods     cache.Indexer
	recorder *record.FakeRecorder

	mu     sync.Mutex
	latest map[string]*corev1.Pod
	events []string
}

func newHarness(t *testing.T, aciNode bool) *harness {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: running pods with runc needs root")
	}
	bin, err := runc.Find()
	if err != nil {
		t.Skipf("skipping: runc is not installed: %v", err)
	}
	store := testimage.Store(t, map[string]imagestore.Config{"busybox": testimage.Busybox136})
	images, err := imagestore.NewResolver(imagestore.OpenStore(store), imagestore.Mapping{Aliases: map[string]string{"alpine:3.4": "busybox:1.36"}})
	if err != nil {
		t.Fatal(err)
	}
	mask, err := runc.BoundingSet()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, client: fake.NewClientset(), recorder: record.NewFakeRecorder(10000), latest: map[string]*corev1.Pod{},
		pods: cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})}
	svc := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	if err := svc.Add(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Namespace: "default"}, Spec: corev1.ServiceSpec{ClusterIP: "10.0.0.1"}}); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	p, err := New(ctx, Options{
		NodeName: "node-1", ACI: aciNode, AllowPrivileged: !aciNode, AllowHostPaths: !aciNode,
		Images: images, Runtime: &runc.Runtime{Binary: bin, Root: filepath.Join(state, "runc")}, StateDir: state,
		Client: h.client, Kube: volumes.ClientKube(h.client),
		Pods: corev1listers.NewPodLister(h.pods), Services: corev1listers.NewServiceLister(svc), Recorder: h.recorder,
		APIServerHost: "127.0.0.1", APIServerPort: 6443, NodeIP: "127.0.0.1", CapabilityMask: mask,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.p = p
	p.NotifyPods(ctx, func(pod *corev1.Pod) {
		h.mu.Lock()
		h.latest[pod.Namespace+"/"+pod.Name] = pod.DeepCopy()
		h.mu.Unlock()
		// The pod controller writes the status; the informer then shows it.
		if old, ok, _ := h.pods.GetByKey(pod.Namespace + "/" + pod.Name); ok && old.(*corev1.Pod).UID == pod.UID {
			_ = h.pods.Update(pod.DeepCopy())
		}
	})
	t.Cleanup(func() {
		sctx, done := context.WithTimeout(context.Background(), 30*time.Second)
		defer done()
		if err := p.Shutdown(sctx); err != nil {
			t.Error(err)
		}
		cancel()
	})
	return h
}

var uidCounter int

func testPod(name string, containers ...corev1.Container) *corev1.Pod {
	uidCounter++
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID(name + "-" + string(rune('a'+uidCounter)))},
		Spec:       corev1.PodSpec{NodeName: "node-1", RestartPolicy: corev1.RestartPolicyNever, Containers: containers},
		Status:     corev1.PodStatus{Phase: corev1.PodPending, QOSClass: corev1.PodQOSBestEffort},
	}
}

func (h *harness) create(pod *corev1.Pod) {
	h.t.Helper()
	if err := h.pods.Add(pod.DeepCopy()); err != nil {
		h.t.Fatal(err)
	}
	if err := h.p.CreatePod(context.Background(), pod.DeepCopy()); err != nil {
		h.t.Fatal(err)
	}
}

// waitFor waits until the last notified status of the pod satisfies cond.
func (h *harness) waitFor(name, what string, cond func(*corev1.Pod) bool) *corev1.Pod {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		h.mu.Lock()
		pod := h.latest["default/"+name]
		h.mu.Unlock()
		if pod != nil && cond(pod) {
			return pod
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for pod %s: %s; last status %+v", name, what, pod)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (h *harness) drainEvents() []string {
	for {
		select {
		case e := <-h.recorder.Events:
			h.events = append(h.events, e)
		default:
			return h.events
		}
	}
}

func (h *harness) hasEvent(prefix string) bool {
	for _, e := range h.drainEvents() {
		if strings.HasPrefix(e, prefix) {
			return true
		}
	}
	return false
}

func (h *harness) logs(name, container string, opts api.ContainerLogOpts) string {
	h.t.Helper()
	rc, err := h.p.GetContainerLogs(context.Background(), "default", name, container, opts)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(data)
}

func phase(p corev1.PodPhase) func(*corev1.Pod) bool {
	return func(pod *corev1.Pod) bool { return pod.Status.Phase == p }
}

func TestPodRunsInitThenMainContainers(t *testing.T) {
	h := newHarness(t, false)
	pod := testPod("hello", corev1.Container{
		Name: "main", Image: "docker.io/library/busybox:1.36", WorkingDir: "/tmp",
		Command:      []string{"sh", "-c", `echo "pwd=$(pwd) greeting=$GREETING image=$IMAGE_VAR api=$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"; cat /data/from-init`},
		Env:          []corev1.EnvVar{{Name: "GREETING", Value: "hi"}},
		VolumeMounts: []corev1.VolumeMount{{Name: "shared", MountPath: "/data"}},
	})
	pod.Spec.InitContainers = []corev1.Container{{
		Name: "init", Image: "alpine:3.4", Command: []string{"sh", "-c", "echo written-by-init > /data/from-init"},
		VolumeMounts: []corev1.VolumeMount{{Name: "shared", MountPath: "/data"}},
	}}
	pod.Spec.Volumes = []corev1.Volume{{Name: "shared", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	h.create(pod)

	done := h.waitFor("hello", "Succeeded", phase(corev1.PodSucceeded))
	init := done.Status.InitContainerStatuses[0].State.Terminated
	main := done.Status.ContainerStatuses[0].State.Terminated
	if init == nil || init.Reason != "Completed" || main == nil || main.ExitCode != 0 || main.Reason != "Completed" {
		t.Fatalf("statuses: init %+v main %+v", init, main)
	}
	if !init.FinishedAt.Time.After(init.StartedAt.Time) && !init.FinishedAt.Equal(&init.StartedAt) || main.StartedAt.Before(&init.FinishedAt) {
		t.Errorf("init must finish before main starts: init %v-%v main %v", init.StartedAt, init.FinishedAt, main.StartedAt)
	}
	if done.Status.PodIP != "127.0.0.1" || done.Status.QOSClass != corev1.PodQOSBestEffort || !strings.HasPrefix(done.Status.ContainerStatuses[0].ContainerID, "runc://") {
		t.Errorf("status fields: %+v", done.Status)
	}
	out := h.logs("hello", "main", api.ContainerLogOpts{})
	want := "pwd=/tmp greeting=hi image=from-image api=127.0.0.1:6443\nwritten-by-init\n"
	if out != want {
		t.Errorf("log = %q, want %q", out, want)
	}
	if ts := h.logs("hello", "main", api.ContainerLogOpts{Tail: 1, Timestamps: true}); !strings.HasSuffix(ts, " written-by-init\n") || !strings.HasPrefix(ts, "20") {
		t.Errorf("tail 1 with timestamps = %q", ts)
	}
	if !h.hasEvent(`Normal ImageAliased Image "alpine:3.4" is an alias of "busybox:1.36"`) {
		t.Errorf("no ImageAliased event in %q", h.drainEvents())
	}
	if _, err := h.p.GetContainerLogs(context.Background(), "default", "hello", "main", api.ContainerLogOpts{Previous: true}); err == nil {
		t.Error("previous logs of a container that never restarted must be an error")
	}
}

func TestSecretEnvAndMissingSecrets(t *testing.T) {
	h := newHarness(t, false)
	ref := func(name string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: "password"}}
	}
	pod := testPod("secretenv", corev1.Container{Name: "main", Image: "busybox:1.36", Command: []string{"sh", "-c", "echo $PASSWORD $POD_IP"},
		Env: []corev1.EnvVar{{Name: "PASSWORD", ValueFrom: ref("later")},
			{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}}}})
	h.create(pod)
	waiting := h.waitFor("secretenv", "CreateContainerConfigError", func(p *corev1.Pod) bool {
		w := p.Status.ContainerStatuses[0].State.Waiting
		return w != nil && w.Reason == "CreateContainerConfigError"
	})
	if msg := waiting.Status.ContainerStatuses[0].State.Waiting.Message; msg != `secrets "later" not found` {
		t.Errorf("message = %q", msg)
	}
	_, err := h.client.CoreV1().Secrets("default").Create(context.Background(),
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "later", Namespace: "default"}, Data: map[string][]byte{"password": []byte("hunter2")}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h.waitFor("secretenv", "Succeeded once the secret exists", phase(corev1.PodSucceeded))
	if out := h.logs("secretenv", "main", api.ContainerLogOpts{}); out != "hunter2 127.0.0.1\n" {
		t.Errorf("log = %q", out)
	}
}

func TestFailingContainerFailsThePod(t *testing.T) {
	h := newHarness(t, false)
	h.create(testPod("fail", corev1.Container{
		Name: "main", Image: "busybox:1.36",
		Command: []string{"sh", "-c", "echo 'disk full' > /dev/termination-log; exit 3"},
	}))
	done := h.waitFor("fail", "Failed", phase(corev1.PodFailed))
	term := done.Status.ContainerStatuses[0].State.Terminated
	if term == nil || term.ExitCode != 3 || term.Reason != "Error" || term.Message != "disk full\n" {
		t.Fatalf("terminated = %+v", term)
	}
}

func TestMissingCommandIsAStartError(t *testing.T) {
	h := newHarness(t, false)
	h.create(testPod("nocmd", corev1.Container{Name: "main", Image: "busybox:1.36", Command: []string{"/no/such/program"}}))
	done := h.waitFor("nocmd", "Failed", phase(corev1.PodFailed))
	term := done.Status.ContainerStatuses[0].State.Terminated
	if term == nil || term.ExitCode != 128 || term.Reason != ReasonStartError || !strings.Contains(term.Message, "/no/such/program") {
		t.Fatalf("terminated = %+v", term)
	}
}

func TestUnknownImageFailsLikeAPull(t *testing.T) {
	h := newHarness(t, false)
	h.create(testPod("noimage", corev1.Container{Name: "main", Image: "foo:1", Command: []string{"true"}}))
	waiting := func(reason string) func(*corev1.Pod) bool {
		return func(p *corev1.Pod) bool {
			w := p.Status.ContainerStatuses[0].State.Waiting
			return w != nil && w.Reason == reason
		}
	}
	pulled := h.waitFor("noimage", "ErrImagePull", waiting(ReasonErrImagePull))
	if msg := pulled.Status.ContainerStatuses[0].State.Waiting.Message; msg != `image "foo:1" is not in the local image store (known: alpine:3.4, busybox:1.36)` {
		t.Errorf("message = %q", msg)
	}
	backoff := h.waitFor("noimage", "ImagePullBackOff", waiting(ReasonImagePullBackOff))
	if backoff.Status.Phase != corev1.PodPending {
		t.Errorf("phase = %s, want Pending", backoff.Status.Phase)
	}
	if !h.hasEvent(`Warning Failed Failed to pull image "foo:1": image "foo:1" is not in the local image store`) {
		t.Errorf("no pull failure event in %q", h.drainEvents())
	}
}

func TestRunAsNonRootRefusesRoot(t *testing.T) {
	h := newHarness(t, false)
	yes := true
	pod := testPod("nonroot", corev1.Container{Name: "main", Image: "busybox:1.36", Command: []string{"true"},
		SecurityContext: &corev1.SecurityContext{RunAsNonRoot: &yes}})
	h.create(pod)
	got := h.waitFor("nonroot", "CreateContainerConfigError", func(p *corev1.Pod) bool {
		w := p.Status.ContainerStatuses[0].State.Waiting
		return w != nil && w.Reason == "CreateContainerConfigError"
	})
	if msg := got.Status.ContainerStatuses[0].State.Waiting.Message; !strings.HasPrefix(msg, "container has runAsNonRoot and image will run as root") {
		t.Errorf("message = %q", msg)
	}
	uid := int64(65534)
	pod2 := testPod("asnobody", corev1.Container{Name: "main", Image: "busybox:1.36", Command: []string{"id", "-u"},
		SecurityContext: &corev1.SecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid}})
	h.create(pod2)
	h.waitFor("asnobody", "Succeeded", phase(corev1.PodSucceeded))
	if out := h.logs("asnobody", "main", api.ContainerLogOpts{}); out != "65534\n" {
		t.Errorf("id -u = %q", out)
	}
}

func TestACINodeRefusesWhatACIRefuses(t *testing.T) {
	h := newHarness(t, true)
	yes := true
	pod := testPod("dind", corev1.Container{Name: "dind", Image: "busybox:1.36", SecurityContext: &corev1.SecurityContext{Privileged: &yes}})
	err := h.p.CreatePod(context.Background(), pod)
	if err == nil || err.Error() != `container "dind": privileged containers are not supported by Azure Container Instances` {
		t.Fatalf("CreatePod error = %v", err)
	}
}

func TestFollowStreamsUntilTheContainerExits(t *testing.T) {
	h := newHarness(t, false)
	h.create(testPod("follow", corev1.Container{Name: "main", Image: "busybox:1.36",
		Command: []string{"sh", "-c", "echo one; sleep 1; echo two"}}))
	h.waitFor("follow", "Running", phase(corev1.PodRunning))
	start := time.Now()
	out := h.logs("follow", "main", api.ContainerLogOpts{Follow: true})
	if out != "one\ntwo\n" {
		t.Errorf("followed log = %q", out)
	}
	if time.Since(start) > 10*time.Second {
		t.Error("follow did not end when the container exited")
	}
}

func TestGracefulDeletion(t *testing.T) {
	h := newHarness(t, false)
	grace := int64(30)
	pod := testPod("stopme", corev1.Container{Name: "main", Image: "busybox:1.36",
		Command: []string{"sh", "-c", "trap 'echo got TERM; exit 0' TERM; echo ready; while true; do sleep 0.1; done"}})
	pod.Spec.TerminationGracePeriodSeconds = &grace
	h.create(pod)
	h.waitFor("stopme", "Running", phase(corev1.PodRunning))
	for !strings.Contains(h.logs("stopme", "main", api.ContainerLogOpts{}), "ready") {
		time.Sleep(20 * time.Millisecond)
	}
	// The API server marks the pod for deletion; the pod controller calls DeletePod.
	live, _, _ := h.pods.GetByKey("default/stopme")
	deleting := live.(*corev1.Pod).DeepCopy()
	now := metav1.Now()
	deleting.DeletionTimestamp, deleting.DeletionGracePeriodSeconds = &now, &grace
	if err := h.pods.Update(deleting); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := h.p.DeletePod(context.Background(), deleting); err != nil {
		t.Fatal(err)
	}
	done := h.waitFor("stopme", "stopped", phase(corev1.PodSucceeded))
	if time.Since(start) > 10*time.Second {
		t.Errorf("stopping a container that handles SIGTERM took %v", time.Since(start))
	}
	if term := done.Status.ContainerStatuses[0].State.Terminated; term == nil || term.ExitCode != 0 {
		t.Errorf("terminated = %+v", term)
	}
	if !strings.Contains(h.logs("stopme", "main", api.ContainerLogOpts{}), "got TERM") {
		t.Error("the container did not get SIGTERM")
	}
	deadline := time.Now().Add(15 * time.Second)
	for !deletedWithGraceZero(h.client.Actions()) {
		if time.Now().After(deadline) {
			t.Fatalf("the stopped pod was not deleted from the API server: %v", h.client.Actions())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The pod is gone from the API server: the pod controller calls DeletePod again.
	if err := h.pods.Delete(deleting); err != nil {
		t.Fatal(err)
	}
	if err := h.p.DeletePod(context.Background(), deleting); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := h.p.GetPod(context.Background(), "default", "stopme"); err != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func deletedWithGraceZero(actions []k8stesting.Action) bool {
	for _, a := range actions {
		if d, ok := a.(k8stesting.DeleteActionImpl); ok && d.Name == "stopme" && d.DeleteOptions.GracePeriodSeconds != nil && *d.DeleteOptions.GracePeriodSeconds == 0 {
			return true
		}
	}
	return false
}

func TestSigkillAfterGracePeriod(t *testing.T) {
	h := newHarness(t, false)
	pod := testPod("stubborn", corev1.Container{Name: "main", Image: "busybox:1.36", Command: []string{"sleep", "600"}})
	h.create(pod)
	h.waitFor("stubborn", "Running", phase(corev1.PodRunning))
	start := time.Now()
	h.pods.Delete(pod)
	if err := h.p.DeletePod(context.Background(), pod); err != nil { // gone from the API: minimum grace
		t.Fatal(err)
	}
	for {
		if _, err := h.p.GetPod(context.Background(), "default", "stubborn"); err != nil {
			break
		}
		if time.Since(start) > 20*time.Second {
			t.Fatal("the pod was not stopped and forgotten")
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.mu.Lock()
	last := h.latest["default/stubborn"]
	h.mu.Unlock()
	if term := last.Status.ContainerStatuses[0].State.Terminated; term == nil || term.ExitCode != 137 {
		t.Errorf("sleep as pid 1 ignores SIGTERM: want exit 137 after SIGKILL, got %+v", term)
	}
	if el := time.Since(start); el < MinimumGrace {
		t.Errorf("killed after %v, before the minimum grace period", el)
	}
}
