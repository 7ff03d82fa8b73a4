package volumes

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
)

func (s *Set) claim(ctx context.Context, src *corev1.PersistentVolumeClaimVolumeSource) (Volume, error) {
	if !s.opts.AllowHost {
		return Volume{}, errors.New("persistent volumes are not allowed on this node")
	}
	pvc, err := s.kube.PVC(ctx, s.pod.Namespace, src.ClaimName)
	if err != nil {
		return Volume{}, fmt.Errorf("persistentvolumeclaim %q: %w", src.ClaimName, err)
	}
	if pvc.Status.Phase != corev1.ClaimBound || pvc.Spec.VolumeName == "" {
		return Volume{}, fmt.Errorf("persistentvolumeclaim %q is not bound", src.ClaimName)
	}
	pv, err := s.kube.PV(ctx, pvc.Spec.VolumeName)
	if err != nil {
		return Volume{}, fmt.Errorf("persistentvolume %q: %w", pvc.Spec.VolumeName, err)
	}
	var p string
	switch {
	case pv.Spec.HostPath != nil:
		p = pv.Spec.HostPath.Path
	case pv.Spec.Local != nil:
		p = pv.Spec.Local.Path
	default:
		return Volume{}, fmt.Errorf("persistentvolume %q is neither hostPath nor local: the node agent cannot mount it", pv.Name)
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return Volume{}, fmt.Errorf("persistentvolume %q: %w", pv.Name, err)
	}
	return Volume{Path: p, ReadOnly: src.ReadOnly}, nil
}

func hostPath(src *corev1.HostPathVolumeSource) (Volume, error) {
	t := corev1.HostPathUnset
	if src.Type != nil {
		t = *src.Type
	}
	st, err := os.Stat(src.Path)
	exists := err == nil
	switch t {
	case corev1.HostPathDirectoryOrCreate:
		if !exists {
			if err := os.MkdirAll(src.Path, 0o755); err != nil {
				return Volume{}, err
			}
		}
	case corev1.HostPathFileOrCreate:
		if !exists {
			if err := os.MkdirAll(filepath.Dir(src.Path), 0o755); err != nil {
				return Volume{}, err
			}
			f, err := os.OpenFile(src.Path, os.O_CREATE|os.O_RDWR, 0o644)
			if err != nil {
				return Volume{}, err
			}
			f.Close()
		}
	case corev1.HostPathDirectory:
		if !exists || !st.IsDir() {
			return Volume{}, fmt.Errorf("hostPath type check failed: %s is not a directory", src.Path)
		}
	case corev1.HostPathFile:
		if !exists || !st.Mode().IsRegular() {
			return Volume{}, fmt.Errorf("hostPath type check failed: %s is not a file", src.Path)
		}
	case corev1.HostPathUnset:
		if !exists {
			if err := os.MkdirAll(src.Path, 0o755); err != nil {
				return Volume{}, err
			}
		}
	default:
		if !exists {
			return Volume{}, fmt.Errorf("hostPath type check failed: %s does not exist", src.Path)
		}
	}
	return Volume{Path: src.Path}, nil
}
