package volumes

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/downward"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/envvars"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Kube is what volumes read from the API server, with the node's identity (the Node authorizer
// lets a node read what the pods bound to it reference).
type Kube interface {
	// Secrets and ConfigMaps, read the same way as for container env.
	envvars.Source
	PVC(ctx context.Context, namespace, name string) (*corev1.PersistentVolumeClaim, error)
	PV(ctx context.Context, name string) (*corev1.PersistentVolume, error)
	Token(ctx context.Context, namespace, serviceAccount string, req *authenticationv1.TokenRequest) (*authenticationv1.TokenRequest, error)
}

type clientKube struct{ c kubernetes.Interface }

// ClientKube reads through a client set.
func ClientKube(c kubernetes.Interface) Kube { return clientKube{c} }

func (k clientKube) Secret(ctx context.Context, ns, name string) (*corev1.Secret, error) {
	return k.c.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
}

func (k clientKube) ConfigMap(ctx context.Context, ns, name string) (*corev1.ConfigMap, error) {
	return k.c.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
}

func (k clientKube) PVC(ctx context.Context, ns, name string) (*corev1.PersistentVolumeClaim, error) {
	return k.c.CoreV1().PersistentVolumeClaims(ns).Get(ctx, name, metav1.GetOptions{})
}

func (k clientKube) PV(ctx context.Context, name string) (*corev1.PersistentVolume, error) {
	return k.c.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{})
}

func (k clientKube) Token(ctx context.Context, ns, sa string, req *authenticationv1.TokenRequest) (*authenticationv1.TokenRequest, error) {
	return k.c.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa, req, metav1.CreateOptions{})
}

// Options are the node-level inputs of volume setup.
type Options struct {
	// AllowHost allows hostPath volumes and persistent volumes on host paths (regular nodes).
	AllowHost      bool
	PodIP, HostIP  string
	NodeAllocation corev1.ResourceList
	Now            func() time.Time
}

// Volume is a set-up volume: the host directory (or file) containers mount.
type Volume struct {
	Path     string
	ReadOnly bool
}

// Set is a pod's volumes.
type Set struct {
	kube    Kube
	pod     *corev1.Pod
	opts    Options
	vols    map[string]Volume
	tmpfs   []string
	mu      sync.Mutex
	tokens  []tokenFile
	fsGroup *int64
}

type tokenFile struct {
	dir        string
	source     corev1.ServiceAccountTokenProjection
	mode       os.FileMode
	expiration time.Duration
	issued     time.Time
}

// Get returns a volume by name.
func (s *Set) Get(name string) (Volume, bool) {
	v, ok := s.vols[name]
	return v, ok
}

// Prepare sets up every volume of the pod under dir. On error, what was set up is torn down.
func Prepare(ctx context.Context, kube Kube, pod *corev1.Pod, dir string, opts Options) (*Set, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Set{kube: kube, pod: pod, opts: opts, vols: map[string]Volume{}}
	if psc := pod.Spec.SecurityContext; psc != nil {
		s.fsGroup = psc.FSGroup
	}
	for _, v := range pod.Spec.Volumes {
		vol, err := s.prepare(ctx, v, filepath.Join(dir, v.Name))
		if err != nil {
			return nil, errors.Join(fmt.Errorf("MountVolume.SetUp failed for volume %q : %w", v.Name, err), s.Teardown())
		}
		s.vols[v.Name] = vol
	}
	return s, nil
}

func (s *Set) prepare(ctx context.Context, v corev1.Volume, dir string) (Volume, error) {
	src := v.VolumeSource
	switch {
	case src.EmptyDir != nil:
		return s.emptyDir(src.EmptyDir, dir)
	case src.Secret != nil:
		files, err := s.secretFiles(ctx, src.Secret.SecretName, src.Secret.Items, src.Secret.DefaultMode, src.Secret.Optional)
		return s.written(dir, files, err)
	case src.ConfigMap != nil:
		files, err := s.configMapFiles(ctx, src.ConfigMap.Name, src.ConfigMap.Items, src.ConfigMap.DefaultMode, src.ConfigMap.Optional)
		return s.written(dir, files, err)
	case src.DownwardAPI != nil:
		files, err := ProjectDownwardAPI(s.downward(), src.DownwardAPI.Items, src.DownwardAPI.DefaultMode)
		return s.written(dir, files, err)
	case src.Projected != nil:
		files, err := s.projected(ctx, src.Projected, dir)
		return s.written(dir, files, err)
	case src.PersistentVolumeClaim != nil:
		return s.claim(ctx, src.PersistentVolumeClaim)
	case src.HostPath != nil:
		if !s.opts.AllowHost {
			return Volume{}, errors.New("hostPath volumes are not allowed on this node")
		}
		return hostPath(src.HostPath)
	}
	return Volume{}, errors.New("unsupported volume type (the node agent supports emptyDir, secret, configMap, downwardAPI, projected, persistentVolumeClaim and hostPath)")
}

func (s *Set) downward() downward.Pod {
	return downward.Pod{Pod: s.pod, PodIP: s.opts.PodIP, HostIP: s.opts.HostIP, NodeAllocatable: s.opts.NodeAllocation}
}

func (s *Set) emptyDir(src *corev1.EmptyDirVolumeSource, dir string) (Volume, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return Volume{}, err
	}
	if src.Medium == corev1.StorageMediumMemory {
		opts := "mode=1777"
		if src.SizeLimit != nil && !src.SizeLimit.IsZero() {
			opts += ",size=" + strconv.FormatInt(src.SizeLimit.Value(), 10)
		}
		if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
			return Volume{}, fmt.Errorf("mounting tmpfs: %w", err)
		}
		s.tmpfs = append(s.tmpfs, dir)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		return Volume{}, err
	}
	if s.fsGroup != nil {
		if err := os.Chown(dir, 0, int(*s.fsGroup)); err != nil {
			return Volume{}, err
		}
		if err := os.Chmod(dir, 0o777|os.ModeSetgid); err != nil {
			return Volume{}, err
		}
	}
	return Volume{Path: dir}, nil
}

func (s *Set) secretFiles(ctx context.Context, name string, items []corev1.KeyToPath, defaultMode *int32, optional *bool) ([]File, error) {
	sec, err := s.kube.Secret(ctx, s.pod.Namespace, name)
	opt := optional != nil && *optional
	if apierrors.IsNotFound(err) && opt {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("secret %q: %w", name, err)
	}
	return ProjectKeys("secret", name, sec.Data, items, defaultMode, opt)
}

func (s *Set) configMapFiles(ctx context.Context, name string, items []corev1.KeyToPath, defaultMode *int32, optional *bool) ([]File, error) {
	cm, err := s.kube.ConfigMap(ctx, s.pod.Namespace, name)
	opt := optional != nil && *optional
	if apierrors.IsNotFound(err) && opt {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("configmap %q: %w", name, err)
	}
	return ProjectKeys("configmap", name, ConfigMapData(cm), items, defaultMode, opt)
}

func (s *Set) projected(ctx context.Context, p *corev1.ProjectedVolumeSource, dir string) ([]File, error) {
	var files []File
	for _, src := range p.Sources {
		var more []File
		var err error
		switch {
		case src.Secret != nil:
			more, err = s.secretFiles(ctx, src.Secret.Name, src.Secret.Items, p.DefaultMode, src.Secret.Optional)
		case src.ConfigMap != nil:
			more, err = s.configMapFiles(ctx, src.ConfigMap.Name, src.ConfigMap.Items, p.DefaultMode, src.ConfigMap.Optional)
		case src.DownwardAPI != nil:
			more, err = ProjectDownwardAPI(s.downward(), src.DownwardAPI.Items, p.DefaultMode)
		case src.ServiceAccountToken != nil:
			var f File
			f, err = s.token(ctx, dir, *src.ServiceAccountToken, mode(nil, p.DefaultMode))
			more = []File{f}
		default:
			err = errors.New("unsupported projected volume source (supported: secret, configMap, downwardAPI, serviceAccountToken)")
		}
		if err != nil {
			return nil, err
		}
		files = append(files, more...)
	}
	return files, nil
}

func (s *Set) written(dir string, files []File, err error) (Volume, error) {
	if err != nil {
		return Volume{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Volume{}, err
	}
	for _, f := range files {
		if err := writeFile(dir, f, s.fsGroup); err != nil {
			return Volume{}, err
		}
	}
	return Volume{Path: dir, ReadOnly: true}, nil
}

// writeFile writes a volume file atomically (a temporary file renamed over it).
func writeFile(dir string, f File, fsGroup *int64) error {
	target := filepath.Join(dir, filepath.FromSlash(f.Path))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(f.Data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	m := f.Mode
	if fsGroup != nil {
		if err := os.Chown(tmp.Name(), 0, int(*fsGroup)); err != nil {
			return err
		}
		m |= 0o040
	}
	if err := os.Chmod(tmp.Name(), m); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}

// Teardown unmounts the memory-backed emptyDirs.
func (s *Set) Teardown() error {
	var errs []error
	for _, d := range s.tmpfs {
		if err := unix.Unmount(d, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			errs = append(errs, fmt.Errorf("unmounting %s: %w", d, err))
		}
	}
	s.tmpfs = nil
	return errors.Join(errs...)
}
