package podstatus

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func waiting(reason string) Container {
	return Container{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
}

func running() Container {
	return Container{State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(t0)}}, ContainerID: "runc://x"}
}

func exited(code int32) Container {
	return Container{State: Terminated(code, t0, t0.Add(time.Second), "")}
}

func pod(init []string, main ...string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Generation: 2}, Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever}}
	for _, n := range init {
		p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: n, Image: "busybox:1.36"})
	}
	for _, n := range main {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: n, Image: "busybox:1.36"})
	}
	return p
}

func condition(s corev1.PodStatus, t corev1.PodConditionType) corev1.PodCondition {
	for _, c := range s.Conditions {
		if c.Type == t {
			return c
		}
	}
	return corev1.PodCondition{}
}

func TestTransitions(t *testing.T) {
	cases := []struct {
		name       string
		pod        *corev1.Pod
		containers map[string]Container
		sandbox    bool
		phase      corev1.PodPhase
		ready      corev1.ConditionStatus
		readyWhy   string
		initd      corev1.ConditionStatus
		waiting    map[string]string // container -> waiting reason expected
	}{
		{name: "nothing started", pod: pod(nil, "main"), phase: corev1.PodPending, ready: "False", readyWhy: ReasonContainersNotReady, initd: "True",
			waiting: map[string]string{"main": ReasonContainerCreating}},
		{name: "init containers pending", pod: pod([]string{"i1", "i2"}, "main"), sandbox: true, phase: corev1.PodPending, ready: "False", initd: "False",
			waiting: map[string]string{"i1": ReasonPodInitializing, "i2": ReasonPodInitializing, "main": ReasonPodInitializing}},
		{name: "first init done, second running", pod: pod([]string{"i1", "i2"}, "main"), sandbox: true,
			containers: map[string]Container{"i1": exited(0), "i2": running()}, phase: corev1.PodPending, ready: "False", initd: "False",
			waiting: map[string]string{"main": ReasonPodInitializing}},
		{name: "init failed fails the pod", pod: pod([]string{"i1"}, "main"), sandbox: true,
			containers: map[string]Container{"i1": exited(3)}, phase: corev1.PodFailed, ready: "False", readyWhy: ReasonPodFailed, initd: "False"},
		{name: "inits done, main creating", pod: pod([]string{"i1"}, "main"), sandbox: true,
			containers: map[string]Container{"i1": exited(0)}, phase: corev1.PodPending, ready: "False", initd: "True",
			waiting: map[string]string{"main": ReasonContainerCreating}},
		{name: "running", pod: pod(nil, "main"), sandbox: true, containers: map[string]Container{"main": running()},
			phase: corev1.PodRunning, ready: "True", initd: "True"},
		{name: "one running, one pulling: pending", pod: pod(nil, "a", "b"), sandbox: true,
			containers: map[string]Container{"a": running(), "b": waiting("ImagePullBackOff")}, phase: corev1.PodPending, ready: "False", initd: "True",
			waiting: map[string]string{"b": "ImagePullBackOff"}},
		{name: "one exited 0, one running", pod: pod(nil, "a", "b"), sandbox: true,
			containers: map[string]Container{"a": exited(0), "b": running()}, phase: corev1.PodRunning, ready: "False", initd: "True"},
		{name: "all exited 0", pod: pod([]string{"i"}, "a", "b"), sandbox: true,
			containers: map[string]Container{"i": exited(0), "a": exited(0), "b": exited(0)}, phase: corev1.PodSucceeded, ready: "False", readyWhy: ReasonPodCompleted, initd: "True"},
		{name: "one failed", pod: pod(nil, "a", "b"), sandbox: true,
			containers: map[string]Container{"a": exited(0), "b": exited(1)}, phase: corev1.PodFailed, ready: "False", readyWhy: ReasonPodFailed, initd: "True"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Compute(c.pod, corev1.PodStatus{}, Pod{Containers: c.containers, SandboxReady: c.sandbox, HostIP: "127.0.0.1", PodIP: "127.0.0.1", StartTime: t0}, t0)
			if s.Phase != c.phase {
				t.Errorf("phase = %s, want %s", s.Phase, c.phase)
			}
			if r := condition(s, corev1.PodReady); r.Status != c.ready || (c.readyWhy != "" && r.Reason != c.readyWhy) {
				t.Errorf("Ready = %s %s, want %s %s", r.Status, r.Reason, c.ready, c.readyWhy)
			}
			if i := condition(s, corev1.PodInitialized); i.Status != c.initd {
				t.Errorf("Initialized = %s (%s), want %s", i.Status, i.Message, c.initd)
			}
			wantSandbox := corev1.ConditionFalse
			if c.sandbox {
				wantSandbox = corev1.ConditionTrue
			}
			if r := condition(s, corev1.PodReadyToStartContainers); r.Status != wantSandbox {
				t.Errorf("PodReadyToStartContainers = %s", r.Status)
			}
			for _, st := range append(append([]corev1.ContainerStatus{}, s.InitContainerStatuses...), s.ContainerStatuses...) {
				want, ok := c.waiting[st.Name]
				if !ok {
					continue
				}
				if st.State.Waiting == nil || st.State.Waiting.Reason != want {
					t.Errorf("container %s state %+v, want waiting %s", st.Name, st.State, want)
				}
			}
			if s.PodIP != "127.0.0.1" || len(s.HostIPs) != 1 || s.StartTime == nil || s.ObservedGeneration != 2 {
				t.Errorf("addresses/start time/generation missing: %+v", s)
			}
		})
	}
}

func TestContainerStatusFields(t *testing.T) {
	p := pod([]string{"i"}, "main")
	rc := running()
	rc.ImageID = "sha256:abc"
	s := Compute(p, corev1.PodStatus{}, Pod{Containers: map[string]Container{"i": exited(0), "main": rc}}, t0)
	m := s.ContainerStatuses[0]
	if !m.Ready || !*m.Started || m.Image != "busybox:1.36" || m.ImageID != "sha256:abc" || m.ContainerID != "runc://x" || m.RestartCount != 0 {
		t.Errorf("main status = %+v", m)
	}
	i := s.InitContainerStatuses[0]
	if !i.Ready || *i.Started || i.State.Terminated.Reason != ReasonCompleted {
		t.Errorf("init status = %+v", i)
	}
	if e := Terminated(2, t0, t0, "boom"); e.Terminated.Reason != ReasonError || e.Terminated.Message != "boom" {
		t.Errorf("Terminated(2) = %+v", e.Terminated)
	}
}

func TestConditionsKeepOthersAndTransitionTimes(t *testing.T) {
	before := metav1.NewTime(t0.Add(-time.Hour))
	prev := corev1.PodStatus{
		QOSClass: corev1.PodQOSBestEffort,
		Conditions: []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: before},
			{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionTrue, LastTransitionTime: before},
			{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: before},
		},
	}
	s := Compute(pod(nil, "main"), prev, Pod{SandboxReady: true, Containers: map[string]Container{"main": running()}}, t0)
	if s.QOSClass != corev1.PodQOSBestEffort {
		t.Error("qosClass dropped")
	}
	if c := condition(s, corev1.PodScheduled); c.Status != corev1.ConditionTrue || !c.LastTransitionTime.Equal(&before) {
		t.Errorf("PodScheduled not kept: %+v", c)
	}
	if c := condition(s, corev1.PodReadyToStartContainers); !c.LastTransitionTime.Equal(&before) {
		t.Errorf("unchanged condition got a new transition time: %+v", c)
	}
	if c := condition(s, corev1.PodReady); c.Status != corev1.ConditionTrue || !c.LastTransitionTime.Time.Equal(t0) {
		t.Errorf("changed condition kept its old transition time: %+v", c)
	}
}

func TestReadinessGates(t *testing.T) {
	p := pod(nil, "main")
	p.Spec.ReadinessGates = []corev1.PodReadinessGate{{ConditionType: "example.com/ready"}}
	live := Pod{Containers: map[string]Container{"main": running()}}
	if c := condition(Compute(p, corev1.PodStatus{}, live, t0), corev1.PodReady); c.Status != corev1.ConditionFalse || c.Reason != ReasonReadinessGatesNotReady {
		t.Errorf("missing gate condition: Ready = %+v", c)
	}
	prev := corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: "example.com/ready", Status: corev1.ConditionTrue}}}
	s := Compute(p, prev, live, t0)
	if c := condition(s, corev1.PodReady); c.Status != corev1.ConditionTrue {
		t.Errorf("gate satisfied: Ready = %+v", c)
	}
	if c := condition(s, "example.com/ready"); c.Status != corev1.ConditionTrue {
		t.Error("the gate's own condition was dropped")
	}
}
