// Package agent wires the node agent: one virtual-kubelet node (nodeutil.NewNode) per configured
// node, each with its own client identity, kubelet API port and provider.
package agent

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubeletapis "k8s.io/kubelet/pkg/apis"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/config"
)

// NodeIP is the address of both nodes and of every pod: they share the host's network.
const NodeIP = "127.0.0.1"

// KubeletVersion is reported in the Node's nodeInfo: the control plane's version, marked as not
// being a real kubelet.
const KubeletVersion = "v1.35.4-nodeagent"

// Host facts reported in nodeInfo.
type Host struct {
	KernelVersion, OSImage, RuntimeVersion string
}

func resources(cpu, memory, pods, storage string) corev1.ResourceList {
	l := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(cpu),
		corev1.ResourceMemory: resource.MustParse(memory),
		corev1.ResourcePods:   resource.MustParse(pods),
	}
	if storage != "" {
		l[corev1.ResourceEphemeralStorage] = resource.MustParse(storage)
	}
	return l
}

// NodeSpec is the Node object registered for a configured node: labels, taint, capacity,
// addresses and the kubelet endpoint by kind.
func NodeSpec(n config.Node, host Host) corev1.Node {
	labels := map[string]string{
		corev1.LabelHostname:   n.Name,
		corev1.LabelOSStable:   "linux",
		corev1.LabelArchStable: "amd64",
	}
	var taints []corev1.Taint
	capacity := resources("2", "8Gi", "110", "100Gi")
	if n.Kind == config.KindACI {
		labels["type"] = "virtual-kubelet"
		labels["kubernetes.io/role"] = "agent"
		labels["alpha.service-controller.kubernetes.io/exclude-balancer"] = "true"
		taints = []corev1.Taint{{Key: "virtual-kubelet.io/provider", Value: "azure", Effect: corev1.TaintEffectNoSchedule}}
		capacity = resources("100", "4Ti", "100", "")
	}
	now := metav1.Now()
	condition := func(t corev1.NodeConditionType, reason, msg string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: corev1.ConditionFalse, Reason: reason, Message: msg, LastHeartbeatTime: now, LastTransitionTime: now}
	}
	return corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: labels},
		Spec:       corev1.NodeSpec{Taints: taints},
		Status: corev1.NodeStatus{
			Phase:       corev1.NodePending,
			Capacity:    capacity,
			Allocatable: capacity.DeepCopy(),
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: NodeIP},
				{Type: corev1.NodeHostName, Address: n.Name},
			},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(n.Port)}},
			NodeInfo: corev1.NodeSystemInfo{
				KubeletVersion: KubeletVersion, OperatingSystem: "linux", Architecture: "amd64",
				KernelVersion: host.KernelVersion, OSImage: host.OSImage, ContainerRuntimeVersion: host.RuntimeVersion,
			},
			Conditions: []corev1.NodeCondition{
				condition(corev1.NodeReady, "KubeletNotReady", "node agent is starting"),
				condition(corev1.NodeMemoryPressure, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
				condition(corev1.NodeDiskPressure, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
				condition(corev1.NodePIDPressure, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
			},
		},
	}
}

// SplitLabels separates the labels a node may set on itself from those the NodeRestriction
// admission plugin forbids it (kubernetes.io and k8s.io labels that are not kubelet labels).
func SplitLabels(labels map[string]string) (self, admin map[string]string) {
	self, admin = map[string]string{}, map[string]string{}
	for k, v := range labels {
		if isKubernetesLabel(k) && !kubeletapis.IsKubeletLabel(k) {
			admin[k] = v
		} else {
			self[k] = v
		}
	}
	return self, admin
}

func isKubernetesLabel(key string) bool {
	ns, _, ok := strings.Cut(key, "/")
	if !ok {
		return false
	}
	for _, d := range []string{"kubernetes.io", "k8s.io"} {
		if ns == d || strings.HasSuffix(ns, "."+d) {
			return true
		}
	}
	return false
}

func describeLabels(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s=%s", k, v))
	}
	return strings.Join(parts, ",")
}
