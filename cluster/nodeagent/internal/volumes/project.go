// Package volumes sets up a pod's volumes on the host, each as a directory that containers get
// bind-mounted: emptyDir, secret, configMap, downwardAPI, projected (with service-account tokens
// from the TokenRequest API), persistentVolumeClaim (the bound PV's hostPath or local path) and
// hostPath.
package volumes

import (
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/downward"
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

// ProjectDownwardAPI gives the files of downwardAPI items.
func ProjectDownwardAPI(d downward.Pod, items []corev1.DownwardAPIVolumeFile, defaultMode *int32) ([]File, error) {
	var files []File
	for _, it := range items {
		if err := checkPath(it.Path); err != nil {
			return nil, err
		}
		var value string
		var err error
		switch {
		case it.FieldRef != nil:
			value, err = downward.FieldValue(d, it.FieldRef.FieldPath)
		case it.ResourceFieldRef != nil:
			value, err = downward.ResourceValue(d, it.ResourceFieldRef, "")
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
