// Package downward evaluates the downward API (fieldRef and resourceFieldRef) against a pod, for
// environment variables and for downwardAPI volume files.
package downward

import (
	"fmt"
	"math"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Pod is what downward API values are computed from.
type Pod struct {
	Pod *corev1.Pod
	// PodIP and HostIP are the pod's addresses (the same: pods use the host's network).
	PodIP, HostIP string
	// NodeAllocatable stands in for a limit the container does not set.
	NodeAllocatable corev1.ResourceList
}

// FieldValue evaluates a fieldRef's field path.
func FieldValue(d Pod, fieldPath string) (string, error) {
	p := d.Pod
	if key, ok := subscript(fieldPath, "metadata.labels"); ok {
		return p.Labels[key], nil
	}
	if key, ok := subscript(fieldPath, "metadata.annotations"); ok {
		return p.Annotations[key], nil
	}
	switch fieldPath {
	case "metadata.name":
		return p.Name, nil
	case "metadata.namespace":
		return p.Namespace, nil
	case "metadata.uid":
		return string(p.UID), nil
	case "metadata.labels":
		return formatMap(p.Labels), nil
	case "metadata.annotations":
		return formatMap(p.Annotations), nil
	case "spec.nodeName":
		return p.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return p.Spec.ServiceAccountName, nil
	case "status.podIP", "status.podIPs":
		return d.PodIP, nil
	case "status.hostIP", "status.hostIPs":
		return d.HostIP, nil
	}
	return "", fmt.Errorf("unsupported downward API field path %q", fieldPath)
}

func subscript(fieldPath, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(fieldPath, prefix+"['")
	if !ok || !strings.HasSuffix(rest, "']") {
		return "", false
	}
	return strings.TrimSuffix(rest, "']"), true
}

// formatMap renders labels or annotations as the kubelet does: sorted key="value" lines.
func formatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := make([]string, 0, len(keys))
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf("%s=%q", k, m[k]))
	}
	return strings.Join(lines, "\n")
}

// ResourceValue evaluates a resourceFieldRef: a container's request or limit divided by the
// divisor, rounded up; an unset limit is the node's allocatable amount. The selector's container
// defaults to defaultContainer (the container whose env is resolved), else the first one.
func ResourceValue(d Pod, ref *corev1.ResourceFieldSelector, defaultContainer string) (string, error) {
	name := ref.ContainerName
	if name == "" {
		name = defaultContainer
	}
	c := findContainer(d.Pod, name)
	if c == nil {
		return "", fmt.Errorf("resourceFieldRef: no container %q", name)
	}
	kind, res, ok := strings.Cut(ref.Resource, ".")
	if !ok || (kind != "limits" && kind != "requests") {
		return "", fmt.Errorf("unsupported resource %q", ref.Resource)
	}
	list := c.Resources.Limits
	if kind == "requests" {
		list = c.Resources.Requests
	}
	q, ok := list[corev1.ResourceName(res)]
	if !ok && kind == "limits" {
		q, ok = d.NodeAllocatable[corev1.ResourceName(res)]
	}
	if !ok {
		return "0", nil
	}
	divisor := ref.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	if res == string(corev1.ResourceCPU) {
		return fmt.Sprint(int64(math.Ceil(float64(q.MilliValue()) / float64(divisor.MilliValue())))), nil
	}
	return fmt.Sprint(int64(math.Ceil(float64(q.Value()) / float64(divisor.Value())))), nil
}

func findContainer(pod *corev1.Pod, name string) *corev1.Container {
	for _, cs := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for i := range cs {
			if cs[i].Name == name || name == "" {
				return &cs[i]
			}
		}
	}
	return nil
}
