// Package volumes sets up a pod's volumes on the host, each as a directory that containers get
// bind-mounted: emptyDir, secret, configMap, downwardAPI, projected (with service-account tokens
// from the TokenRequest API), persistentVolumeClaim (the bound PV's hostPath or local path) and
// hostPath.
package volumes

import (
	"fmt"
	"math"
	"os"
	"path"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// File is one file of a volume, relative to the volume's directory.
type File struct {
	Path string
	Data []byte
	Mode os.FileMode
}

// DefaultMode is the mode of volume files when the pod gives none (0644).
const DefaultMode = 0o644

func mode(itemMode, defaultMode *int32) os.FileMode {
	switch {
	case itemMode != nil:
		return os.FileMode(*itemMode) & os.ModePerm
	case defaultMode != nil:
		return os.FileMode(*defaultMode) & os.ModePerm
	}
	return DefaultMode
}

// checkPath refuses a file path that is absolute or climbs out of the volume.
func checkPath(p string) error {
	if p == "" || path.IsAbs(p) || strings.Contains("/"+p+"/", "/../") {
		return fmt.Errorf("invalid file path %q in volume", p)
	}
	return nil
}

// ProjectKeys gives the files of a secret's or configMap's data: every key, or only the listed
// items (key -> path, per-item mode). A missing key is an error unless optional.
func ProjectKeys(kind, name string, data map[string][]byte, items []corev1.KeyToPath, defaultMode *int32, optional bool) ([]File, error) {
	var files []File
	if len(items) == 0 {
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			files = append(files, File{Path: k, Data: data[k], Mode: mode(nil, defaultMode)})
		}
		return files, nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			if optional {
				continue
			}
			return nil, fmt.Errorf("%s %q references non-existent key: %s", kind, name, it.Key)
		}
		if err := checkPath(it.Path); err != nil {
			return nil, err
		}
		files = append(files, File{Path: it.Path, Data: v, Mode: mode(it.Mode, defaultMode)})
	}
	return files, nil
}

// ConfigMapData joins a configMap's data and binaryData.
func ConfigMapData(cm *corev1.ConfigMap) map[string][]byte {
	out := make(map[string][]byte, len(cm.Data)+len(cm.BinaryData))
	for k, v := range cm.Data {
		out[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		out[k] = v
	}
	return out
}

// Downward is what downward API files are computed from.
type Downward struct {
	Pod            *corev1.Pod
	PodIP, HostIP  string
	NodeAllocation corev1.ResourceList
}

// ProjectDownwardAPI gives the files of downwardAPI items.
func ProjectDownwardAPI(d Downward, items []corev1.DownwardAPIVolumeFile, defaultMode *int32) ([]File, error) {
	var files []File
	for _, it := range items {
		if err := checkPath(it.Path); err != nil {
			return nil, err
		}
		var value string
		var err error
		switch {
		case it.FieldRef != nil:
			value, err = FieldValue(d, it.FieldRef.FieldPath)
		case it.ResourceFieldRef != nil:
			value, err = ResourceValue(d, it.ResourceFieldRef)
		default:
			err = fmt.Errorf("downwardAPI item %q has neither fieldRef nor resourceFieldRef", it.Path)
		}
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: it.Path, Data: []byte(value), Mode: mode(it.Mode, defaultMode)})
	}
	return files, nil
}

// FieldValue evaluates a downward API field path against the pod.
func FieldValue(d Downward, fieldPath string) (string, error) {
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

// ResourceValue evaluates a resourceFieldRef: a container's request or limit, divided by the
// divisor and rounded up; an unset limit is the node's allocatable amount.
func ResourceValue(d Downward, ref *corev1.ResourceFieldSelector) (string, error) {
	var c *corev1.Container
	for i := range d.Pod.Spec.Containers {
		if d.Pod.Spec.Containers[i].Name == ref.ContainerName || (ref.ContainerName == "" && i == 0) {
			c = &d.Pod.Spec.Containers[i]
		}
	}
	if c == nil {
		return "", fmt.Errorf("resourceFieldRef: no container %q", ref.ContainerName)
	}
	kind, name, ok := strings.Cut(ref.Resource, ".")
	if !ok || (kind != "limits" && kind != "requests") {
		return "", fmt.Errorf("unsupported resource %q", ref.Resource)
	}
	list := c.Resources.Limits
	if kind == "requests" {
		list = c.Resources.Requests
	}
	q, ok := list[corev1.ResourceName(name)]
	if !ok {
		q, ok = d.NodeAllocation[corev1.ResourceName(name)]
	}
	if !ok {
		return "0", nil
	}
	divisor := ref.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	if name == string(corev1.ResourceCPU) {
		return fmt.Sprint(int64(math.Ceil(float64(q.MilliValue()) / float64(divisor.MilliValue())))), nil
	}
	return fmt.Sprint(int64(math.Ceil(float64(q.Value()) / float64(divisor.Value())))), nil
}
