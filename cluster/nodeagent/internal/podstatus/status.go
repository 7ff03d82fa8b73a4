// Package podstatus computes a pod's status the way the kubelet does, from what the runtime knows
// about its containers: phase, conditions, container statuses. It is pure; the provider feeds it.
//
// The agent never restarts a container, whatever the restartPolicy: once every container has
// stopped, the pod is Succeeded if they all exited 0 and Failed otherwise, and a failed init
// container fails the pod.
package podstatus

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Reasons the kubelet uses.
const (
	ReasonContainerCreating        = "ContainerCreating"
	ReasonPodInitializing          = "PodInitializing"
	ReasonCompleted                = "Completed"
	ReasonError                    = "Error"
	ReasonPodCompleted             = "PodCompleted"
	ReasonPodFailed                = "PodFailed"
	ReasonContainersNotReady       = "ContainersNotReady"
	ReasonContainersNotInitialized = "ContainersNotInitialized"
	ReasonReadinessGatesNotReady   = "ReadinessGatesNotReady"
)

// Container is what the runtime knows about one container. A container it knows nothing about
// yet is waiting (ContainerCreating, or PodInitializing while init containers run).
type Container struct {
	State       corev1.ContainerState
	ImageID     string
	ContainerID string
}

// Pod is what the runtime knows about the pod.
type Pod struct {
	// Containers by name, init and regular ones.
	Containers map[string]Container
	// SandboxReady is true once the pod's volumes are set up (PodReadyToStartContainers).
	SandboxReady bool
	StartTime    time.Time
	HostIP       string
	PodIP        string
}

// Compute returns the status to report. prev is the status the API server has, whose conditions
// of other owners (PodScheduled, DisruptionTarget, readiness gates) are kept and whose transition
// times are kept for conditions that do not change.
func Compute(pod *corev1.Pod, prev corev1.PodStatus, p Pod, now time.Time) corev1.PodStatus {
	initWaiting := corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: ReasonPodInitializing}}
	initStatuses := statuses(pod.Spec.InitContainers, p, initWaiting, true)
	mainStatuses := statuses(pod.Spec.Containers, p, defaultWaiting(pod, initialized(initStatuses)), false)
	phase := Phase(initStatuses, mainStatuses)
	s := corev1.PodStatus{
		Phase:                 phase,
		HostIP:                p.HostIP,
		PodIP:                 p.PodIP,
		InitContainerStatuses: initStatuses,
		ContainerStatuses:     mainStatuses,
		QOSClass:              prev.QOSClass,
		ObservedGeneration:    pod.Generation,
	}
	if p.HostIP != "" {
		s.HostIPs = []corev1.HostIP{{IP: p.HostIP}}
	}
	if p.PodIP != "" {
		s.PodIPs = []corev1.PodIP{{IP: p.PodIP}}
	}
	if !p.StartTime.IsZero() {
		t := metav1.NewTime(p.StartTime)
		s.StartTime = &t
	}
	s.Conditions = conditions(pod, prev, p, initStatuses, mainStatuses, phase, now)
	return s
}

func defaultWaiting(pod *corev1.Pod, initDone bool) corev1.ContainerState {
	reason := ReasonContainerCreating
	if len(pod.Spec.InitContainers) > 0 && !initDone {
		reason = ReasonPodInitializing
	}
	return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}
}

func statuses(cs []corev1.Container, p Pod, waiting corev1.ContainerState, init bool) []corev1.ContainerStatus {
	if len(cs) == 0 {
		return nil
	}
	out := make([]corev1.ContainerStatus, 0, len(cs))
	for _, c := range cs {
		rc, known := p.Containers[c.Name]
		st := corev1.ContainerStatus{Name: c.Name, Image: c.Image, State: waiting}
		if known {
			st.State, st.ImageID, st.ContainerID = rc.State, rc.ImageID, rc.ContainerID
		}
		running := st.State.Running != nil
		st.Started = &running
		st.Ready = running
		if init {
			st.Ready = st.State.Terminated != nil && st.State.Terminated.ExitCode == 0
		}
		out = append(out, st)
	}
	return out
}

func succeeded(s corev1.ContainerStatus) bool {
	return s.State.Terminated != nil && s.State.Terminated.ExitCode == 0
}

func initialized(init []corev1.ContainerStatus) bool {
	for _, s := range init {
		if !succeeded(s) {
			return false
		}
	}
	return true
}

// Phase is the pod phase for its init and regular container statuses, without restarts.
func Phase(init, main []corev1.ContainerStatus) corev1.PodPhase {
	for _, s := range init {
		switch {
		case s.State.Terminated != nil && s.State.Terminated.ExitCode != 0:
			return corev1.PodFailed
		case !succeeded(s):
			return corev1.PodPending
		}
	}
	var waiting, running, failed int
	for _, s := range main {
		switch {
		case s.State.Running != nil:
			running++
		case s.State.Terminated != nil:
			if s.State.Terminated.ExitCode != 0 {
				failed++
			}
		default:
			waiting++
		}
	}
	switch {
	case len(main) == 0, waiting > 0:
		return corev1.PodPending
	case running > 0:
		return corev1.PodRunning
	case failed > 0:
		return corev1.PodFailed
	}
	return corev1.PodSucceeded
}

func conditions(pod *corev1.Pod, prev corev1.PodStatus, p Pod, init, main []corev1.ContainerStatus, phase corev1.PodPhase, now time.Time) []corev1.PodCondition {
	ready := corev1.ConditionFalse
	if p.SandboxReady {
		ready = corev1.ConditionTrue
	}
	containersReady := containersReadyCondition(main, phase)
	podReady := containersReady
	podReady.Type = corev1.PodReady
	if podReady.Status == corev1.ConditionTrue {
		podReady = readinessGates(pod, prev, podReady)
	}
	managed := []corev1.PodCondition{
		{Type: corev1.PodReadyToStartContainers, Status: ready},
		initializedCondition(init, main, phase),
		podReady,
		containersReady,
	}
	out := make([]corev1.PodCondition, 0, len(managed)+len(prev.Conditions))
	for _, c := range managed {
		c.ObservedGeneration = pod.Generation
		c.LastTransitionTime = metav1.NewTime(now)
		for _, old := range prev.Conditions {
			if old.Type == c.Type && old.Status == c.Status {
				c.LastTransitionTime = old.LastTransitionTime
			}
		}
		out = append(out, c)
	}
	for _, old := range prev.Conditions {
		if !isManaged(old.Type) {
			out = append(out, old)
		}
	}
	return out
}

func isManaged(t corev1.PodConditionType) bool {
	switch t {
	case corev1.PodReadyToStartContainers, corev1.PodInitialized, corev1.PodReady, corev1.ContainersReady:
		return true
	}
	return false
}

func containersReadyCondition(main []corev1.ContainerStatus, phase corev1.PodPhase) corev1.PodCondition {
	c := corev1.PodCondition{Type: corev1.ContainersReady, Status: corev1.ConditionFalse}
	switch phase {
	case corev1.PodSucceeded:
		c.Reason = ReasonPodCompleted
		return c
	case corev1.PodFailed:
		c.Reason = ReasonPodFailed
		return c
	}
	var unready []string
	for _, s := range main {
		if !s.Ready {
			unready = append(unready, s.Name)
		}
	}
	if len(unready) > 0 {
		c.Reason = ReasonContainersNotReady
		c.Message = fmt.Sprintf("containers with unready status: [%s]", strings.Join(unready, " "))
		return c
	}
	c.Status = corev1.ConditionTrue
	return c
}

func readinessGates(pod *corev1.Pod, prev corev1.PodStatus, ready corev1.PodCondition) corev1.PodCondition {
	var msgs []string
	for _, g := range pod.Spec.ReadinessGates {
		var found *corev1.PodCondition
		for i := range prev.Conditions {
			if prev.Conditions[i].Type == g.ConditionType {
				found = &prev.Conditions[i]
			}
		}
		switch {
		case found == nil:
			msgs = append(msgs, fmt.Sprintf("corresponding condition of pod readiness gate %q does not exist.", g.ConditionType))
		case found.Status != corev1.ConditionTrue:
			msgs = append(msgs, fmt.Sprintf("the status of pod readiness gate %q is not \"True\", but %v", g.ConditionType, found.Status))
		}
	}
	if len(msgs) > 0 {
		return corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: ReasonReadinessGatesNotReady, Message: strings.Join(msgs, ", ")}
	}
	return ready
}

func initializedCondition(init, main []corev1.ContainerStatus, phase corev1.PodPhase) corev1.PodCondition {
	c := corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue}
	if phase == corev1.PodSucceeded {
		c.Reason = ReasonPodCompleted
		return c
	}
	for _, s := range main {
		if s.State.Running != nil || s.State.Terminated != nil {
			return c // a regular container has started: initialization is over
		}
	}
	var incomplete []string
	for _, s := range init {
		if !s.Ready {
			incomplete = append(incomplete, s.Name)
		}
	}
	if len(incomplete) > 0 {
		c.Status = corev1.ConditionFalse
		c.Reason = ReasonContainersNotInitialized
		c.Message = fmt.Sprintf("containers with incomplete status: [%s]", strings.Join(incomplete, " "))
	}
	return c
}

// Terminated is the state of a container that exited.
func Terminated(exitCode int32, started, finished time.Time, message string) corev1.ContainerState {
	reason := ReasonCompleted
	if exitCode != 0 {
		reason = ReasonError
	}
	return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: exitCode, Reason: reason, Message: message,
		StartedAt: metav1.NewTime(started), FinishedAt: metav1.NewTime(finished),
	}}
}
