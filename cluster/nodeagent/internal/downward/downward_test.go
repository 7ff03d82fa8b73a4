package downward

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "uid-1",
			Labels: map[string]string{"app": "x", "tier": "be"}, Annotations: map[string]string{"note": `say "hi"`}},
		Spec: corev1.PodSpec{NodeName: "node-1", ServiceAccountName: "builder", Containers: []corev1.Container{{
			Name: "c",
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")},
			},
		}}},
	}
}

func TestFieldAndResourceValues(t *testing.T) {
	d := Pod{Pod: testPod(), PodIP: "127.0.0.1", HostIP: "127.0.0.1",
		NodeAllocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}}
	fields := map[string]string{
		"metadata.name": "p", "metadata.namespace": "ns", "metadata.uid": "uid-1",
		"metadata.labels": "app=\"x\"\ntier=\"be\"", "metadata.labels['tier']": "be",
		"metadata.annotations": `note="say \"hi\""`, "spec.nodeName": "node-1",
		"spec.serviceAccountName": "builder", "status.podIP": "127.0.0.1",
	}
	for path, want := range fields {
		if got, err := FieldValue(d, path); err != nil || got != want {
			t.Errorf("FieldValue(%s) = %q, %v; want %q", path, got, err, want)
		}
	}
	if _, err := FieldValue(d, "spec.nope"); err == nil {
		t.Error("unknown field path accepted")
	}
	resources := []struct {
		res, divisor, want string
	}{
		{"requests.cpu", "1m", "250"}, {"requests.cpu", "", "1"}, {"limits.cpu", "", "2"},
		{"limits.memory", "1Mi", "64"}, {"requests.memory", "", "0"},
	}
	for _, r := range resources {
		sel := &corev1.ResourceFieldSelector{ContainerName: "c", Resource: r.res}
		if r.divisor != "" {
			sel.Divisor = resource.MustParse(r.divisor)
		}
		if got, err := ResourceValue(d, sel, ""); err != nil || got != r.want {
			t.Errorf("ResourceValue(%s / %s) = %q, %v; want %q", r.res, r.divisor, got, err, r.want)
		}
	}
}
