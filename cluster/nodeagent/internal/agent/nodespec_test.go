package agent

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/config"
)

func TestNodeSpecByKind(t *testing.T) {
	regular := NodeSpec(config.Node{Name: "node-1", Kind: config.KindRegular, Port: 10250}, Host{})
	if regular.Labels[corev1.LabelHostname] != "node-1" || len(regular.Spec.Taints) != 0 {
		t.Errorf("node-1: labels %v taints %v", regular.Labels, regular.Spec.Taints)
	}
	cpu := regular.Status.Allocatable[corev1.ResourceCPU]
	mem := regular.Status.Capacity[corev1.ResourceMemory]
	if cpu.String() != "2" || mem.String() != "8Gi" {
		t.Errorf("node-1 resources: cpu %s memory %s", cpu.String(), mem.String())
	}
	if regular.Status.DaemonEndpoints.KubeletEndpoint.Port != 10250 || regular.Status.Addresses[0].Address != "127.0.0.1" {
		t.Errorf("node-1 endpoint %+v addresses %+v", regular.Status.DaemonEndpoints, regular.Status.Addresses)
	}

	vk := NodeSpec(config.Node{Name: "virtual-kubelet", Kind: config.KindACI, Port: 10251}, Host{})
	want := map[string]string{
		"type": "virtual-kubelet", "kubernetes.io/role": "agent", "kubernetes.io/hostname": "virtual-kubelet",
		"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "alpha.service-controller.kubernetes.io/exclude-balancer": "true",
	}
	if !reflect.DeepEqual(vk.Labels, want) {
		t.Errorf("virtual-kubelet labels = %v", vk.Labels)
	}
	taint := corev1.Taint{Key: "virtual-kubelet.io/provider", Value: "azure", Effect: corev1.TaintEffectNoSchedule}
	if len(vk.Spec.Taints) != 1 || vk.Spec.Taints[0] != taint {
		t.Errorf("virtual-kubelet taints = %v", vk.Spec.Taints)
	}
	pods := vk.Status.Capacity[corev1.ResourcePods]
	vmem := vk.Status.Capacity[corev1.ResourceMemory]
	if pods.String() != "100" || vmem.String() != "4Ti" {
		t.Errorf("virtual-kubelet capacity = %v", vk.Status.Capacity)
	}
}

func TestSplitLabelsFollowsNodeRestriction(t *testing.T) {
	self, admin := SplitLabels(map[string]string{
		"type": "virtual-kubelet", "kubernetes.io/hostname": "vk", "kubernetes.io/os": "linux",
		"kubernetes.io/role": "agent", "alpha.service-controller.kubernetes.io/exclude-balancer": "true",
		"node.kubernetes.io/instance-type": "x", "example.k8s.io/x": "y",
	})
	wantSelf := map[string]string{"type": "virtual-kubelet", "kubernetes.io/hostname": "vk", "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": "x"}
	wantAdmin := map[string]string{"kubernetes.io/role": "agent", "alpha.service-controller.kubernetes.io/exclude-balancer": "true", "example.k8s.io/x": "y"}
	if !reflect.DeepEqual(self, wantSelf) || !reflect.DeepEqual(admin, wantAdmin) {
		t.Errorf("self %v\nadmin %v", self, wantAdmin)
	}
}
